import ProviderKit
import Shared

/// PayPal payout batches and items as `ProviderPayoutState`s. The provider payout id is always the batch
/// id (`payout_batch_id`): Coffer sends one item per batch, create answers name only the batch, and the
/// batch leads to the item.
///
/// Item statuses, as PayPal documents them: SUCCESS credited the payee; PENDING, UNCLAIMED (the payee
/// has no account yet; PayPal holds it for 30 days), ONHOLD and NEW are under way; FAILED, BLOCKED,
/// DENIED and CANCELED never moved the money; RETURNED means it came back unclaimed or cancelled,
/// so the payee never had it: failed, not reversed; REFUNDED (the payee sent it back) and REVERSED
/// undo a payout that was credited: reversed.
enum PayPalPayoutsMapping {
    static func itemState(_ item: PayoutAnswer, batchID: String?, secrets: [String: String]) throws(ProviderError)
        -> ProviderPayoutState
    {
        let rawStatus = try item.string("transaction_status")
        let currency = try item.currency("payout_item.amount.currency")
        let amount = try item.majorUnits("payout_item.amount.value", currency: currency)
        let status: ProviderPayoutState.Status
        switch rawStatus {
        case "SUCCESS": status = .processed
        case "PENDING", "UNCLAIMED", "ONHOLD", "ON_HOLD", "NEW": status = .pending
        case "FAILED", "BLOCKED", "DENIED", "CANCELED", "RETURNED":
            status = .failed(
                code: item.optionalString("errors.name") ?? rawStatus,
                message: item.optionalString("errors.message").map {
                    ProviderResponse.safeMessage($0, credentials: secrets, fallback: rawStatus)
                })
        case "REFUNDED", "REVERSED": status = .reversed
        default: throw item.unexpected("an unknown payout item status")
        }
        let id: String
        if let batch = batchID ?? item.optionalString("payout_batch_id") {
            id = batch
        } else {
            id = try item.string("payout_item_id")
        }
        return ProviderPayoutState(
            providerPayoutID: id, status: status, amount: amount, currency: currency, rawStatus: rawStatus)
    }

    /// A batch (`GET /v1/payments/payouts/{id}`, or the create answer): its item for `reference` (the
    /// only one Coffer sends), else the batch's own status while PayPal lists no item yet.
    static func batchState(_ batch: PayoutAnswer, reference: String, fallback: Money?, secrets: [String: String])
        throws(ProviderError) -> ProviderPayoutState
    {
        let batchID = try batch.string("batch_header.payout_batch_id")
        let items = batch.json["items"]?.arrayValue ?? []
        if let item = items.first(where: { $0.value(at: "payout_item.sender_item_id")?.stringValue == reference })
            ?? items.first
        {
            return try itemState(batch.with(item), batchID: batchID, secrets: secrets)
        }
        let rawStatus = try batch.string("batch_header.batch_status")
        let status: ProviderPayoutState.Status
        switch rawStatus {
        case "PENDING", "PROCESSING", "NEW", "SUCCESS": status = .pending
        case "DENIED", "CANCELED": status = .failed(code: rawStatus, message: nil)
        default: throw batch.unexpected("an unknown payout batch status")
        }
        let money: Money
        if batch.json.value(at: "batch_header.amount") != nil {
            let currency = try batch.currency("batch_header.amount.currency")
            money = Money(
                minorUnits: try batch.majorUnits("batch_header.amount.value", currency: currency), currency: currency)
        } else if let fallback {
            money = fallback
        } else {
            throw batch.unexpected("a batch without an amount")
        }
        return ProviderPayoutState(
            providerPayoutID: batchID, status: status, amount: money.minorUnits, currency: money.currency,
            rawStatus: rawStatus)
    }
}
