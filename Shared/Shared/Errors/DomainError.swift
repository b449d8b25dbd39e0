/// A refusal stated by the domain in its own terms: what kind of refusal it is (which decides the
/// HTTP status at the edge, `DomainError+HTTP` in Platform), a stable snake_case `code` clients branch
/// on, a message safe to show (never a secret, a card or an account number), the field at fault, and
/// objects the answer carries (a declined payment carries the payment, as Stripe's errors do).
/// Domains, stores and workers throw this; only routes speak HTTP.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request is wrong and will stay wrong (400).
        case invalid
        /// The caller is not who it must be (401).
        case unauthenticated
        /// The caller may not do this (403).
        case forbidden
        /// No such object for this caller (404): also another tenant's or the other mode's.
        case notFound
        /// The object's state does not allow it now (409).
        case conflict
        /// Well-formed but refused as a whole (422).
        case unprocessable
        /// A provider declined the money movement (402).
        case declined
        /// Too many, too fast (429).
        case tooManyRequests
        /// Try again shortly (503).
        case unavailable
        /// A provider refused us, not the request (502).
        case upstream
        /// Something failed inside Coffer; details are in the log, never in the answer (500).
        case internalFailure
    }

    public var kind: Kind
    public var code: String
    public var message: String
    public var param: String?
    /// For `.tooManyRequests` and `.unavailable`: when to try again.
    public var retryAfterSeconds: Int?
    /// Objects the answer carries next to the error (`"payment": {…}`).
    public var objects: [String: JSONValue]

    public init(
        _ kind: Kind, code: String, message: String, param: String? = nil, retryAfterSeconds: Int? = nil,
        objects: [String: JSONValue] = [:]
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
        self.objects = objects
    }

    public var description: String { "\(code): \(message)" }

    public static func invalid(_ message: String, code: String = "invalid_request", param: String? = nil) -> DomainError
    {
        DomainError(.invalid, code: code, message: message, param: param)
    }

    public static func notFound(_ message: String = "No such object.", code: String = "not_found", param: String? = nil)
        -> DomainError
    {
        DomainError(.notFound, code: code, message: message, param: param)
    }

    public static func conflict(_ message: String, code: String = "invalid_state", param: String? = nil) -> DomainError
    {
        DomainError(.conflict, code: code, message: message, param: param)
    }

    public static func forbidden(_ message: String, code: String = "forbidden", param: String? = nil) -> DomainError {
        DomainError(.forbidden, code: code, message: message, param: param)
    }

    public static func unprocessable(_ message: String, code: String, param: String? = nil) -> DomainError {
        DomainError(.unprocessable, code: code, message: message, param: param)
    }

    public static func tooManyRequests(
        retryAfterSeconds: Int, message: String = "Too many requests; slow down.",
        code: String = "rate_limited"
    ) -> DomainError {
        DomainError(.tooManyRequests, code: code, message: message, retryAfterSeconds: max(1, retryAfterSeconds))
    }

    public static func unavailable(_ message: String, code: String = "service_unavailable", retryAfterSeconds: Int = 1)
        -> DomainError
    {
        DomainError(.unavailable, code: code, message: message, retryAfterSeconds: max(1, retryAfterSeconds))
    }

    /// A broken invariant: logged with its detail, answered as `internal_error` without it.
    public static func internalFailure(_ detail: String = "an internal error occurred") -> DomainError {
        DomainError(.internalFailure, code: "internal_error", message: detail)
    }
}
