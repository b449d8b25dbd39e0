import HTTP
import Shared

/// How Stripe words outages, rate limits and idempotency conflicts.
struct StripeDialect: ProviderDialect {
    var provider: SandboxProvider { .stripe }

    func injectedFailure(status: Int) -> HTTPResponse {
        switch status {
        case 429:
            return StripeError(
                status: 429, type: "invalid_request_error", code: "rate_limit",
                message:
                    "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."
            )
            .response
        case 500...:
            return StripeError(
                status: HTTPStatus(status), type: "api_error",
                message: "Sorry, something went wrong. We've already been notified of the problem, but if you need "
                    + "any help, you can reach us at support.stripe.com/contact."
            ).response
        default:
            return StripeError(
                status: HTTPStatus(status), type: "invalid_request_error",
                message: "The sandbox was asked to fail this request (fail_next)."
            ).response
        }
    }

    func idempotencyMismatch(key: String) -> HTTPResponse {
        StripeError(
            status: .badRequest, type: "idempotency_error",
            message:
                "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                + "Try using a key other than '\(key)' if you meant to execute a different request."
        ).response
    }

    func idempotencyInFlight(key: String) -> HTTPResponse? {
        StripeError(
            status: .conflict, type: "invalid_request_error", code: "idempotency_key_in_use",
            message:
                "There is currently another in-progress request using this Idempotent Key (that probably means you "
                + "submitted twice, and the other request is still going through): '\(key)'. Please try again later."
        )
        .response
    }

    var replayHeaders: HTTPHeaders { ["Idempotent-Replayed": "true"] }

    /// Stripe keeps the answer of every request that started executing, errors included.
    func remembers(status: HTTPStatus, executed: Bool) -> Bool { executed }
}
