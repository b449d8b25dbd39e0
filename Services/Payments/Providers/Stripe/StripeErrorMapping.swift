import HTTP
import ProviderKit
import Shared

/// Stripe's error answers for payment intents and refunds in Coffer's terms.
enum StripeErrorMapping {
    static func error(_ exchange: ProviderExchange) -> ProviderError {
        let error = StripeClient.ErrorObject(exchange)
        switch exchange.status {
        case 402:
            // A card error: the issuer's reason (`insufficient_funds`) says more than `card_declined`.
            return ProviderError(
                kind: .declined, code: error.declineCode ?? error.code ?? error.type, message: error.message)
        case 409 where error.code == "idempotency_key_in_use":
            // The first request with this key is still running and may yet charge: retry with the same
            // key (which returns its result) rather than treat the call as not having happened.
            return ProviderError(kind: .timeout, code: error.code, message: error.message)
        case 409:
            // `idempotency_error`: the key was used with other parameters. A bug, not a transient state.
            return ProviderError(kind: .invalidRequest, code: error.code ?? error.type, message: error.message)
        default:
            return ProviderError(
                kind: ProviderResponse.kind(forStatus: exchange.status), code: error.code ?? error.type,
                message: error.message)
        }
    }
}
