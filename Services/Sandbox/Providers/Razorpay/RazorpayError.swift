import HTTP
import Shared

/// An error in Razorpay's shape:
/// `{"error":{"code":"BAD_REQUEST_ERROR","description","source","step","reason","metadata":{},"field"}}`.
/// Razorpay answers 400 for unknown ids too ("The id provided does not exist"), and 401 for bad keys.
struct RazorpayError: Error, Sendable {
    var status: HTTPStatus = .badRequest
    var code = "BAD_REQUEST_ERROR"
    var description: String
    var source = "business"
    var step = "payment_initiation"
    var reason = "input_validation_failed"
    var field: String?
    var executed = false

    static func badRequest(_ description: String, field: String? = nil) -> RazorpayError {
        RazorpayError(description: description, field: field)
    }

    /// What Razorpay says for an id that does not exist (or belongs to another account).
    static func noSuchID() -> RazorpayError {
        RazorpayError(description: "The id provided does not exist", source: "NA", step: "NA", reason: "NA")
    }

    static func invalidState(_ description: String) -> RazorpayError {
        RazorpayError(description: description, source: "business", step: "NA", reason: "NA")
    }

    static func authentication(_ description: String) -> RazorpayError {
        RazorpayError(status: .unauthorized, description: description, source: "NA", step: "NA", reason: "NA")
    }
}
