import HTTP
import Shared

/// An MTN MoMo API error: `{"code":"RESOURCE_ALREADY_EXIST","message":…}` with MTN's statuses (409 for a
/// reused `X-Reference-Id`, 404 for an unknown one). The API gateway in front of it answers
/// authentication failures in its own shape, `{"statusCode":401,"message":…}`.
struct MTNError: ProviderFailure, Sendable {
    var status: HTTPStatus
    var code: String
    var message: String
    /// The gateway's `{"statusCode","message"}` shape instead of the API's.
    var fromGateway = false
    var executed = false

    var response: HTTPResponse {
        let body: JSONValue =
            fromGateway
            ? .object(["statusCode": .int(Int64(status.code)), "message": .string(message)])
            : .object(["code": .string(code), "message": .string(message)])
        return .json(status, bytes: body.serialized())
    }

    /// A request MTN refuses before accepting it (missing or malformed fields and headers).
    static func badRequest(_ message: String) -> MTNError {
        MTNError(status: .badRequest, code: "BAD_REQUEST", message: message)
    }

    static func duplicateReference() -> MTNError {
        MTNError(
            status: .conflict, code: "RESOURCE_ALREADY_EXIST",
            message: "Duplicated reference id. Creation of resource failed.")
    }

    static func notFound() -> MTNError {
        MTNError(status: .notFound, code: "RESOURCE_NOT_FOUND", message: "Requested resource was not found.")
    }

    static func invalidCurrency() -> MTNError {
        MTNError(status: .badRequest, code: "INVALID_CURRENCY", message: "Currency not supported.")
    }

    static func targetEnvironment() -> MTNError {
        MTNError(
            status: .forbidden, code: "NOT_ALLOWED_TARGET_ENVIRONMENT",
            message: "Access to target environment is forbidden.")
    }

    static func subscriptionKey(missing: Bool) -> MTNError {
        MTNError(
            status: .unauthorized, code: "",
            message: missing
                ? "Access denied due to missing subscription key. Make sure to include subscription key when "
                    + "making requests to an API."
                : "Access denied due to invalid subscription key. Make sure to provide a valid key for an active "
                    + "subscription.", fromGateway: true)
    }

    static func invalidToken() -> MTNError {
        MTNError(
            status: .unauthorized, code: "", message: "Access denied due to invalid or expired access token.",
            fromGateway: true)
    }
}

/// How MTN words outages; its idempotency is the reference id itself (a reused one is a 409 from the
/// simulator), so the gate's idempotency memory is never used for MTN.
struct MTNDialect: ProviderDialect {
    var provider: SandboxProvider { .mtn }

    func injectedFailure(status: Int) -> HTTPResponse {
        switch status {
        case 429:
            MTNError(
                status: 429, code: "", message: "Rate limit is exceeded. Try again in 1 seconds.", fromGateway: true
            ).response
        case 503:
            MTNError(status: 503, code: "SERVICE_UNAVAILABLE", message: "Service unavailable.").response
        case 500...:
            MTNError(
                status: HTTPStatus(status), code: "INTERNAL_PROCESSING_ERROR",
                message: "An internal error occurred while processing."
            ).response
        default:
            MTNError(
                status: HTTPStatus(status), code: "NOT_ALLOWED",
                message: "The sandbox was asked to fail this request (fail_next)."
            ).response
        }
    }

    func idempotencyMismatch(key: String) -> HTTPResponse { MTNError.duplicateReference().response }

    func idempotencyInFlight(key: String) -> HTTPResponse? { MTNError.duplicateReference().response }

    var replayHeaders: HTTPHeaders { [:] }

    func remembers(status: HTTPStatus, executed: Bool) -> Bool { false }
}
