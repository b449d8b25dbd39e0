import HTTP
import ProviderKit
import Shared

/// Stripe's error answers (`{"error":{"type","code","decline_code","message","param"}}`) in Coffer's terms.
enum StripeErrorMapping {
    static func error(_ response: HTTPClientResponse, call: ProviderCall, credentials: [String: String])
        -> ProviderError
    {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)?["error"]
        let type = body?["type"]?.stringValue
        let code = body?["code"]?.stringValue
        let message = ProviderResponse.safeMessage(
            body?["message"]?.stringValue, credentials: credentials, fallback: "Stripe answered \(status).")

        switch status {
        case 402:
            // A card error: the issuer's reason (`insufficient_funds`) says more than `card_declined`.
            return ProviderError(
                kind: .declined, code: body?["decline_code"]?.stringValue ?? code ?? type,
                message: message)
        case 409 where code == "idempotency_key_in_use":
            // The first request with this key is still running and may yet charge: retry with the same
            // key (which returns its result) rather than treat the call as not having happened.
            return ProviderError(kind: .timeout, code: code, message: message)
        case 409:
            // `idempotency_error`: the key was used with other parameters. A bug, not a transient state.
            return ProviderError(kind: .invalidRequest, code: code ?? type, message: message)
        default:
            return ProviderError(kind: ProviderResponse.kind(forStatus: status), code: code ?? type, message: message)
        }
    }
}
