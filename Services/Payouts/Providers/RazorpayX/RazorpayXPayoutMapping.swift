import ProviderKit
import Shared

/// A RazorpayX payout (`pout_…`) as a `ProviderPayoutState`.
///
/// `queued` (waiting for balance), `pending` (waiting for approval), `scheduled` and `processing` are
/// under way; `processed` is paid; `reversed` was paid and came back; `rejected` (by an approver),
/// `cancelled` and `failed` are final failures, with `status_details.reason` as the code and its
/// `description` (or the older `failure_reason`) as the message.
enum RazorpayXPayoutMapping {
    static func state(_ payout: PayoutAnswer, secrets: [String: String]) throws(ProviderError) -> ProviderPayoutState {
        let id = try payout.string("id")
        let rawStatus = try payout.string("status")
        let amount = try payout.minorUnits("amount")
        let currency = try payout.currency("currency")
        let status: ProviderPayoutState.Status
        switch rawStatus {
        case "queued", "pending", "scheduled", "processing": status = .pending
        case "processed": status = .processed
        case "reversed": status = .reversed
        case "rejected", "cancelled", "failed":
            let text = payout.optionalString("status_details.description") ?? payout.optionalString("failure_reason")
            status = .failed(
                code: payout.optionalString("status_details.reason") ?? rawStatus,
                message: text.map { ProviderResponse.safeMessage($0, credentials: secrets, fallback: rawStatus) })
        default: throw payout.unexpected("an unknown payout status")
        }
        return ProviderPayoutState(
            providerPayoutID: id, status: status, amount: amount, currency: currency, rawStatus: rawStatus)
    }

    /// The newest of `payouts` by `created_at` (RazorpayX lists newest first already; this does not rely on it).
    static func newest(_ payouts: [JSONValue]) -> JSONValue? {
        payouts.max { ($0["created_at"]?.int64Value ?? 0) < ($1["created_at"]?.int64Value ?? 0) }
    }
}
