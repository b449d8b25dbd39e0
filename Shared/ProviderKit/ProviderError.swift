import Shared

/// Why a provider call did not succeed. `isRetryable` decides the gateway's retries and circuit
/// breaker; `mayHaveTakenEffect` whether a failed call must be resolved by asking before retrying.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The provider refused the payment itself (card declined, insufficient funds).
        case declined
        /// The request was wrong (bad amount, unknown object): fix the request, do not retry.
        case invalidRequest = "invalid_request"
        /// Credentials refused: the connector is misconfigured.
        case authentication
        /// The provider said "too many requests".
        case rateLimited = "rate_limited"
        /// 5xx, connection refused: the call did not take effect or may be retried safely.
        case unavailable
        /// No answer in time: the call may or may not have taken effect.
        case timeout
    }

    public let kind: Kind
    /// The provider's error code (`card_declined`, `BAD_REQUEST_ERROR`), when it gave one.
    public let code: String?
    /// The provider's message, safe to show (no credentials).
    public let message: String

    public init(kind: Kind, code: String?, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var isRetryable: Bool { kind == .unavailable || kind == .timeout || kind == .rateLimited }
    public var mayHaveTakenEffect: Bool { kind == .timeout }
    public var description: String { "\(kind.rawValue)\(code.map { " (\($0))" } ?? ""): \(message)" }
}
