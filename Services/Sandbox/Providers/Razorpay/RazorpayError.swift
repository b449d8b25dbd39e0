import HTTP
import Shared

/// An error in Razorpay's shape:
/// `{"error":{"code":"BAD_REQUEST_ERROR","description","source","step","reason","metadata":{},"field"}}`.
/// Razorpay answers 400 for unknown ids too ("The id provided does not exist"), and 401 for bad keys.
struct RazorpayError: ProviderFailure, Sendable {
    var status: HTTPStatus = .badRequest
    var code = "BAD_REQUEST_ERROR"
    var description: String
    var source = "business"
    var step = "payment_initiation"
    var reason = "input_validation_failed"
    var field: String?
    var executed = false

    var response: HTTPResponse {
        var error: [String: JSONValue] = [
            "code": .string(code), "description": .string(description), "source": .string(source),
            "step": .string(step),
            "reason": .string(reason), "metadata": .object([:]),
        ]
        if let field { error["field"] = .string(field) }
        return .json(status, bytes: JSONValue.object(["error": .object(error)]).serialized())
    }

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

/// How Razorpay words outages and idempotency conflicts (`X-Refund-Idempotency`, `X-Payout-Idempotency`).
struct RazorpayDialect: ProviderDialect {
    var provider: SandboxProvider { .razorpay }

    func injectedFailure(status: Int) -> HTTPResponse {
        switch status {
        case 429:
            return RazorpayError(status: 429, description: "Too many requests", source: "NA", step: "NA", reason: "NA")
                .response
        case 500...:
            return RazorpayError(
                status: HTTPStatus(status), code: "SERVER_ERROR",
                description:
                    "We are facing some trouble completing your request at the moment. Please try again shortly.",
                source: "NA", step: "NA", reason: "NA"
            ).response
        default:
            return RazorpayError(
                status: HTTPStatus(status), description: "The sandbox was asked to fail this request (fail_next).",
                source: "NA", step: "NA", reason: "NA"
            ).response
        }
    }

    func idempotencyMismatch(key: String) -> HTTPResponse {
        RazorpayError(
            description: "Different request with the same idempotency key has already been processed.", source: "NA",
            step: "NA", reason: "NA"
        ).response
    }

    func idempotencyInFlight(key: String) -> HTTPResponse? {
        RazorpayError(
            status: .conflict, description: "A request with the same idempotency key is being processed.", source: "NA",
            step: "NA", reason: "NA"
        ).response
    }

    var replayHeaders: HTTPHeaders { [:] }

    /// Successful refunds are kept for their key; a refused one can be retried with it.
    func remembers(status: HTTPStatus, executed: Bool) -> Bool { executed && status.isSuccess }
}
