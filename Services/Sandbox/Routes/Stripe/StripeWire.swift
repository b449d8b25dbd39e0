import HTTP
import Shared

// Stripe's wire format: how its errors, outages and idempotency conflicts are answered over HTTP.

extension StripeError: ProviderFailure {
    var response: HTTPResponse {
        var error: [String: JSONValue] = ["type": .string(type), "message": .string(message)]
        if let code {
            error["code"] = .string(code)
            error["doc_url"] = .string(
                "https://stripe.com/docs/error-codes/" + code.replacingOccurrences(of: "_", with: "-"))
        }
        if let declineCode { error["decline_code"] = .string(declineCode) }
        if let param { error["param"] = .string(param) }
        if let paymentIntent { error["payment_intent"] = paymentIntent }
        if let chargeID { error["charge"] = .string(chargeID) }
        return StripeResponse.json(status, .object(["error": .object(error)]))
    }
}

/// Stripe's response framing: JSON bodies and a `Request-Id` header on everything.
enum StripeResponse {
    static let apiVersion = "2024-06-20"

    static func json(_ status: HTTPStatus, _ body: JSONValue, requestID: String = ProviderIDs.stripe("req"))
        -> HTTPResponse
    {
        .json(status, bytes: body.serialized(), headers: ["Request-Id": requestID, "Stripe-Version": apiVersion])
    }
}
