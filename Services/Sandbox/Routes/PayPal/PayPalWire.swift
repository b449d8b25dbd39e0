import HTTP
import Shared

// PayPal's wire format: how its errors, outages and idempotency conflicts are answered over HTTP.

extension PayPalError: ProviderFailure {
    var response: HTTPResponse {
        var body: [String: JSONValue] = [
            "name": .string(name), "message": .string(message),
            "debug_id": .string(ProviderIDs.random(13, from: Array("0123456789abcdef".utf8))),
        ]
        if let issue {
            var detail: [String: JSONValue] = ["issue": .string(issue)]
            if let issueDescription { detail["description"] = .string(issueDescription) }
            if let field {
                detail["field"] = .string(field)
                detail["location"] = "body"
            }
            body["details"] = .array([.object(detail)])
            body["links"] = .array([
                .object([
                    "href": .string("https://developer.paypal.com/docs/api/orders/v2/#error-" + issue),
                    "rel": "information_link",
                    "method": "GET",
                ])
            ])
        }
        return .json(status, bytes: JSONValue.object(body).serialized())
    }
}

/// PayPal's OAuth errors are shaped differently: `{"error":"invalid_token","error_description":…}`.
enum PayPalOAuthError {
    static func response(_ status: HTTPStatus, _ error: String, _ description: String) -> HTTPResponse {
        .json(
            status,
            bytes: JSONValue.object(["error": .string(error), "error_description": .string(description)]).serialized())
    }
}

/// How PayPal words outages and `PayPal-Request-Id` reuse.
struct PayPalDialect: ProviderDialect {
    var provider: SandboxProvider { .paypal }

    func injectedFailure(status: Int) -> HTTPResponse {
        switch status {
        case 429:
            return PayPalError(
                status: 429, name: "RATE_LIMIT_REACHED", message: "Too many requests. Blocked due to rate limiting."
            )
            .response
        case 503:
            return PayPalError(status: 503, name: "SERVICE_UNAVAILABLE", message: "Service Unavailable.").response
        case 500...:
            return PayPalError(
                status: HTTPStatus(status), name: "INTERNAL_SERVER_ERROR",
                message: "An internal server error has occurred."
            )
            .response
        default:
            return PayPalError(
                status: HTTPStatus(status), name: "INVALID_REQUEST",
                message: "The sandbox was asked to fail this request (fail_next)."
            ).response
        }
    }

    func idempotencyMismatch(key: String) -> HTTPResponse {
        PayPalError.unprocessable(
            "PAYPAL_REQUEST_ID_PREVIOUSLY_USED",
            "The PayPal-Request-Id has already been used for another request."
        ).response
    }

    /// PayPal makes a concurrent twin wait for the first request's answer.
    func idempotencyInFlight(key: String) -> HTTPResponse? { nil }

    var replayHeaders: HTTPHeaders { [:] }

    /// Only successful answers are kept for a `PayPal-Request-Id`; a failed call can be retried with it.
    func remembers(status: HTTPStatus, executed: Bool) -> Bool { executed && status.isSuccess }
}
