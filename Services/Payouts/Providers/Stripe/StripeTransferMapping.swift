import ProviderKit
import Shared

/// A Stripe Transfer (`tr_…`) as a `ProviderPayoutState`.
///
/// A transfer to a connected account moves the money when it is created, so one that exists is
/// `processed`; one reversed in full (`reversed: true`, or `amount_reversed` reaching `amount`) is
/// `reversed`. Transfers carry no status word, so `rawStatus` names what the fields say: `created`,
/// `partially_reversed` (still processed: the payee kept part) or `reversed`.
enum StripeTransferMapping {
    static func state(_ transfer: PayoutAnswer) throws(ProviderError) -> ProviderPayoutState {
        let id = try transfer.string("id")
        let amount = try transfer.minorUnits("amount")
        let currency = try transfer.currency("currency")
        let reversedAmount = transfer.json["amount_reversed"]?.int64Value ?? 0
        let status: ProviderPayoutState.Status
        let rawStatus: String
        if transfer.json["reversed"]?.boolValue == true || (amount > 0 && reversedAmount >= amount) {
            (status, rawStatus) = (.reversed, "reversed")
        } else if reversedAmount > 0 {
            (status, rawStatus) = (.processed, "partially_reversed")
        } else {
            (status, rawStatus) = (.processed, "created")
        }
        return ProviderPayoutState(
            providerPayoutID: id, status: status, amount: amount, currency: currency, rawStatus: rawStatus)
    }

    /// The newest of `transfers` by `created`.
    static func newest(_ transfers: [JSONValue]) -> JSONValue? {
        transfers.max { ($0["created"]?.int64Value ?? 0) < ($1["created"]?.int64Value ?? 0) }
    }
}
