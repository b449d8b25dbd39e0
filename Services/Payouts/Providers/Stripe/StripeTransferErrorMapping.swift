import HTTP
import ProviderKit
import Shared

/// Stripe's error answers for transfers in Coffer's terms.
enum StripeTransferErrorMapping {
    static func error(_ exchange: ProviderExchange) -> ProviderError {
        let error = StripeClient.ErrorObject(exchange)
        let code = error.code ?? error.type
        switch exchange.status {
        case 400 where code == "balance_insufficient":
            // The platform's balance cannot cover the transfer: Stripe refused the payout itself.
            return ProviderError(kind: .declined, code: code, message: error.message)
        case 409 where code == "idempotency_key_in_use":
            // The first request with this key is still running and may yet move money: retry with the
            // same key (which returns its result) rather than treat the call as not having happened.
            return ProviderError(kind: .timeout, code: code, message: error.message)
        default:
            return ProviderError(
                kind: ProviderResponse.kind(forStatus: exchange.status), code: code, message: error.message)
        }
    }
}
