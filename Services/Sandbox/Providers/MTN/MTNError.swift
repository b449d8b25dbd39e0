import HTTP
import Shared

/// An MTN MoMo API error: `{"code":"RESOURCE_ALREADY_EXIST","message":…}` with MTN's statuses (409 for a
/// reused `X-Reference-Id`, 404 for an unknown one). The API gateway in front of it answers
/// authentication failures in its own shape, `{"statusCode":401,"message":…}`.
struct MTNError: Error, Sendable {
    var status: HTTPStatus
    var code: String
    var message: String
    /// The gateway's `{"statusCode","message"}` shape instead of the API's.
    var fromGateway = false
    var executed = false

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
