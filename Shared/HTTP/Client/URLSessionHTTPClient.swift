import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTPS to the outside world (providers, tenants' webhook endpoints) through URLSession, which
/// brings TLS. One attempt per `send`; retries belong to `CofferHTTPClient`.
public final class URLSessionHTTPClient: HTTPClient {
    private let session: URLSession

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.httpMaximumConnectionsPerHost = 32
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        guard let url = URL(string: request.url), let host = url.host else {
            throw HTTPClientError(.invalidURL, target: "?", detail: "not a URL")
        }
        let target = "\(host):\(url.port ?? (url.scheme == "https" ? 443 : 80))"
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method.rawValue
        let (seconds, attoseconds) = request.timeout.components
        urlRequest.timeoutInterval = TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError {
            switch error.code {
            case .timedOut: throw HTTPClientError(.timeout, target: target)
            case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
                 .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
                throw HTTPClientError(.connectFailed, target: target, detail: "\(error.code.rawValue)")
            default: throw HTTPClientError(.connectionClosed, target: target, detail: "\(error.code.rawValue)")
            }
        }
        guard let http = response as? HTTPURLResponse else { throw HTTPClientError(.invalidResponse, target: target) }
        var headers = HTTPHeaders()
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers.add(name, value) }
        }
        return HTTPClientResponse(status: HTTPStatus(http.statusCode), headers: headers, body: Array(data))
    }
}
