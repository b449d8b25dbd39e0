import HTTP
import Shared

// Razorpay's wire format: how its errors, outages and idempotency conflicts are answered over HTTP.

extension RazorpayError: ProviderFailure {
    var response: HTTPResponse {
        var error: [String: JSONValue] = [
            "code": .string(code), "description": .string(description), "source": .string(source),
            "step": .string(step),
            "reason": .string(reason), "metadata": .object([:]),
        ]
        if let field { error["field"] = .string(field) }
        return .json(status, bytes: JSONValue.object(["error": .object(error)]).serialized())
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
