import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTPS to the outside world (providers, tenants' webhook endpoints) through URLSession, which
/// brings TLS. One attempt per `send`; retries belong to `CofferHTTPClient`. Redirects are never
/// followed (a provider that redirects gets its 3xx back as the answer: an API call that moves is
/// a misconfiguration, and following it could lead anywhere), responses are cut off past
/// `maxResponseBytes`, and a call with an address policy is refused when its host resolves to an
/// address the policy does not allow.
public final class URLSessionHTTPClient: HTTPClient {
    private let session: URLSession
    private let delegate: SessionDelegate
    private let addressCache = AddressCache()

    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.httpMaximumConnectionsPerHost = 32
        delegate = SessionDelegate()
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        guard let url = URL(string: request.url), let host = url.host, url.user == nil else {
            throw HTTPClientError(.invalidURL, target: "?", detail: "not a URL")
        }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        let target = "\(host):\(port)"
        if let policy = request.addressPolicy {
            if OutboundAddressPolicy.isMetadataName(host) {
                throw HTTPClientError(.addressRefused, target: target, detail: "metadata host")
            }
            let addresses: [SocketAddress]
            do {
                addresses =
                    TrustedProxies.parseIP(host) != nil
                    ? try SocketAddress.resolve(host: host, port: port)
                    : try await addressCache.resolve(host: host, port: port)
            } catch {
                throw HTTPClientError(.connectFailed, target: target, detail: "name resolution failed")
            }
            if let refused = addresses.first(where: { !policy.permits($0.ipAddress) }) {
                throw HTTPClientError(
                    .addressRefused, target: target,
                    detail: AddressClass.classify(refused.ipAddress)?.rawValue ?? "unknown")
            }
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method.rawValue
        let (seconds, attoseconds) = request.timeout.components
        urlRequest.timeoutInterval = TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }
        let task = session.dataTask(with: urlRequest)
        let (data, response): (Data, HTTPURLResponse)
        do {
            (data, response) = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    delegate.register(task, limit: request.maxResponseBytes, continuation: continuation)
                    task.resume()
                }
            } onCancel: {
                task.cancel()
            }
        } catch let error as SessionDelegate.TooLarge {
            throw HTTPClientError(.responseTooLarge, target: target, detail: "over \(error.limit) bytes")
        } catch let error as URLError {
            switch error.code {
            case .timedOut: throw HTTPClientError(.timeout, target: target)
            case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
                .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
                throw HTTPClientError(.connectFailed, target: target, detail: "\(error.code.rawValue)")
            default: throw HTTPClientError(.connectionClosed, target: target, detail: "\(error.code.rawValue)")
            }
        }
        var headers = HTTPHeaders()
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers.add(name, value) }
        }
        return HTTPClientResponse(status: HTTPStatus(response.statusCode), headers: headers, body: Array(data))
    }
}

/// The session's delegate: collects each task's body up to its limit, and refuses every redirect.
final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct TooLarge: Error {
        let limit: Int
    }

    private struct Pending {
        let limit: Int
        let continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>
        var data = Data()
        var response: HTTPURLResponse?
        var tooLarge = false
    }

    private let pending = Mutex<[Int: Pending]>([:])

    func register(
        _ task: URLSessionTask, limit: Int, continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>
    ) {
        pending.withLock { $0[task.taskIdentifier] = Pending(limit: limit, continuation: continuation) }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)  // never follow: the 3xx is the answer
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let allowed = pending.withLock { state -> Bool in
            state[dataTask.taskIdentifier]?.response = response as? HTTPURLResponse
            guard let entry = state[dataTask.taskIdentifier] else { return false }
            if response.expectedContentLength > Int64(entry.limit) {
                state[dataTask.taskIdentifier]?.tooLarge = true
                return false
            }
            return true
        }
        completionHandler(allowed ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let cancel = pending.withLock { state -> Bool in
            guard var entry = state[dataTask.taskIdentifier], !entry.tooLarge else { return false }
            if entry.data.count + data.count > entry.limit {
                entry.tooLarge = true
                entry.data = Data()
                state[dataTask.taskIdentifier] = entry
                return true
            }
            entry.data.append(data)
            state[dataTask.taskIdentifier] = entry
            return false
        }
        if cancel { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if entry.tooLarge {
            entry.continuation.resume(throwing: TooLarge(limit: entry.limit))
        } else if let error {
            entry.continuation.resume(throwing: error)
        } else if let response = entry.response ?? (task.response as? HTTPURLResponse) {
            entry.continuation.resume(returning: (entry.data, response))
        } else {
            entry.continuation.resume(throwing: URLError(.badServerResponse))
        }
    }
}
