import HTTP
import Shared

/// An error in Stripe's shape: `{"error":{"type","code","decline_code","message","param",…}}` with
/// Stripe's statuses (400 invalid request, 401 authentication, 402 card errors, 404 missing objects,
/// 409 idempotency conflicts, 429 rate limits, 5xx API errors).
struct StripeError: Error, Sendable {
    var status: HTTPStatus
    var type: String
    var code: String?
    var declineCode: String?
    var message: String
    var param: String?
    /// Card errors on a PaymentIntent carry the intent as it now is, and the failed charge.
    var paymentIntent: JSONValue?
    var chargeID: String?
    var executed = false

    static func invalidRequest(_ message: String, code: String? = nil, param: String? = nil) -> StripeError {
        StripeError(status: .badRequest, type: "invalid_request_error", code: code, message: message, param: param)
    }

    static func missingParameter(_ name: String) -> StripeError {
        invalidRequest("Missing required param: \(name).", code: "parameter_missing", param: name)
    }

    static func invalidInteger(_ name: String, _ value: String) -> StripeError {
        invalidRequest("Invalid integer: \(value)", code: "parameter_invalid_integer", param: name)
    }

    /// `No such payment_intent: 'pi_…'` (also for another account's object, as Stripe does).
    static func noSuch(_ objectName: String, _ id: String, param: String) -> StripeError {
        StripeError(
            status: .notFound, type: "invalid_request_error", code: "resource_missing",
            message: "No such \(objectName): '\(id)'", param: param)
    }

    static func unexpectedState(_ message: String) -> StripeError {
        invalidRequest(message, code: "payment_intent_unexpected_state")
    }

    static func missingAPIKey() -> StripeError {
        StripeError(
            status: .unauthorized, type: "invalid_request_error",
            message: "You did not provide an API key. You need to provide your API key in the Authorization header, "
                + "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
    }

    static func invalidAPIKey(_ key: String) -> StripeError {
        StripeError(
            status: .unauthorized, type: "invalid_request_error", code: "api_key_invalid",
            message: "Invalid API Key provided: \(SandboxAccount.mask(key))")
    }
}
