/// One outbound HTTP call.
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Per attempt: connect, send and receive must finish within it.
    public var timeout: Duration
    /// Overrides the client's retry policy for this call (`.none` to never retry).
    public var retryPolicy: RetryPolicy?
    /// Whether repeating the call is safe. Default: the method is idempotent or an
    /// `Idempotency-Key` header is present. Only idempotent calls are ever retried.
    public var isIdempotent: Bool
    /// The largest response body accepted; a larger one fails the call (`response_too_large`) and
    /// is never buffered whole.
    public var maxResponseBytes: Int = 8 << 20
    /// Where the call may connect (nil: anywhere — service-to-service calls inside the deployment).
    /// Calls to URLs a tenant supplied (provider connectors, webhook endpoints) always set one.
    public var addressPolicy: OutboundAddressPolicy?

    public init(
        method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
        timeout: Duration = .seconds(10), retryPolicy: RetryPolicy? = nil, isIdempotent: Bool? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.retryPolicy = retryPolicy
        self.isIdempotent = isIdempotent ?? (method.isIdempotent || headers.contains("Idempotency-Key"))
    }
}

/// A response to an outbound call.
public struct HTTPClientResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Anything that can send an outbound request. Coffer's services depend on this, so tests and the
/// sandbox can stand in for the network at the edges.
public protocol HTTPClient: Sendable {
    func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse
}

/// Why an outbound call failed without a response.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible, HTTPErrorConvertible {
    public enum Kind: String, Sendable {
        case invalidURL = "invalid_url"
        case connectFailed = "connect_failed"
        case timeout
        case connectionClosed = "connection_closed"
        case invalidResponse = "invalid_response"
        case responseTooLarge = "response_too_large"
        /// The host resolves to an address the call's policy refuses (metadata, link-local, private).
        case addressRefused = "address_refused"
        case shutdown
    }

    public let kind: Kind
    /// `host:port` (never the path or query, which may carry secrets).
    public let target: String
    public let detail: String

    public init(_ kind: Kind, target: String, detail: String = "") {
        self.kind = kind
        self.target = target
        self.detail = detail
    }

    public var description: String {
        detail.isEmpty
            ? "HTTP call to \(target) failed: \(kind.rawValue)"
            : "HTTP call to \(target) failed: \(kind.rawValue) (\(detail))"
    }

    /// Whether the call may have reached the server. A connect failure certainly did not.
    public var mayHaveBeenReceived: Bool { kind != .connectFailed && kind != .invalidURL && kind != .addressRefused }

    public var httpError: HTTPError {
        kind == .timeout
            ? HTTPError(.gatewayTimeout, code: "upstream_timeout", message: "A dependency did not answer in time.")
            : HTTPError(.badGateway, code: "upstream_unavailable", message: "A dependency could not be reached.")
    }
}
