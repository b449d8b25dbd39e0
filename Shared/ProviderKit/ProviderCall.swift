import HTTP
import Shared

/// One HTTP call an adapter makes, and what its failure would mean for the logical operation.
///
/// The same transport failure means different things depending on the call: a POST that timed out may
/// have charged the customer, a GET that timed out changed nothing, and a read made only to prepare an
/// operation (finding the capture id, fetching a PayPal token) never takes effect at all.
public struct ProviderCall: Sendable {
    public enum Role: Sendable {
        /// The call that is the operation itself (the POST that captures, the GET that fetches).
        case operation
        /// A read or token fetch made before the operation: its failure means nothing happened yet.
        case lookup
    }

    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var role: Role
    /// Whether repeating the call is harmless: GETs, and POSTs with an idempotency key the provider honours.
    public var isIdempotent: Bool

    public init(
        _ method: HTTPMethod, url: String, headers: HTTPHeaders, body: [UInt8] = [], role: Role = .operation,
        isIdempotent: Bool
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.role = role
        self.isIdempotent = isIdempotent
    }

    /// A failure without a readable answer may hide an effect only for a state-changing operation call.
    public var mayTakeEffect: Bool { role == .operation && method != .GET }

    /// The request for the client: the connector's timeout, and never the client's own retries (the
    /// gateway decides whether and when to try again).
    public func request(timeout: Duration) -> HTTPClientRequest {
        HTTPClientRequest(
            method: method, url: url, headers: headers, body: body, timeout: timeout,
            retryPolicy: RetryPolicy.none, isIdempotent: isIdempotent)
    }
}
