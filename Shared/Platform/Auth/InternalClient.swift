import Foundation
import HTTP
import Shared

/// Signed calls to another Coffer service's `/internal/…` routes.
public struct InternalClient: Sendable {
    private let client: CofferHTTPClient
    private let signer: InternalRequestSigner

    public init(client: CofferHTTPClient, signer: InternalRequestSigner) {
        self.client = client
        self.signer = signer
    }

    /// GETs `url` on the service `receiver` and decodes the JSON body (Coffer conventions). Non-2xx answers throw.
    public func get<T: Decodable>(
        _ url: String, from receiver: String, as type: T.Type, correlationID: String? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> T {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let correlationID { headers.add("X-Correlation-ID", correlationID) }
        let response = try await client.send(
            HTTPClientRequest(method: .GET, url: url, headers: headers, timeout: timeout),
            signer: signer.clientSigner(to: receiver))
        guard response.status.isSuccess else { throw InternalCallError(status: response.status.code, url: url) }
        return try JSONCoding.makeDecoder().decode(T.self, from: Data(response.body))
    }
}

/// Another service answered an internal call with an error status.
public struct InternalCallError: Error, CustomStringConvertible {
    public let status: Int
    public let url: String
    public var description: String { "internal call answered \(status)" }
}

extension ServiceRuntime {
    public var internalClient: InternalClient { InternalClient(client: httpClient, signer: signer) }
}
