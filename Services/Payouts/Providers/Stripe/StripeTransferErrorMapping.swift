import HTTP
import ProviderKit
import Shared

/// Stripe's error answers (`{"error":{"type","code","message","param"}}`) for transfers, in Coffer's terms.
enum StripeTransferErrorMapping {
    static func error(_ response: HTTPClientResponse, secrets: [String: String]) -> ProviderError {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)?["error"]
        let code = body?["code"]?.stringValue ?? body?["type"]?.stringValue
        let message = ProviderResponse.safeMessage(
            body?["message"]?.stringValue, credentials: secrets, fallback: "Stripe answered \(status).")
        switch status {
        case 400 where code == "balance_insufficient":
            // The platform's balance cannot cover the transfer: Stripe refused the payout itself.
            return ProviderError(kind: .declined, code: code, message: message)
        case 409 where code == "idempotency_key_in_use":
            // The first request with this key is still running and may yet move money: retry with the
            // same key (which returns its result) rather than treat the call as not having happened.
            return ProviderError(kind: .timeout, code: code, message: message)
        default:
            return ProviderError(kind: ProviderResponse.kind(forStatus: status), code: code, message: message)
        }
    }
}
