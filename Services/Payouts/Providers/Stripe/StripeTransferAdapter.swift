import Contracts
import HTTP
import ProviderKit
import Shared

/// Stripe Connect transfers: a payout to a seller is a Transfer from the platform's balance to the
/// seller's connected account (`acct_…`), which Stripe then pays out on the account's own schedule.
///
/// Bank accounts are not offered: a Stripe Payout (`POST /v1/payouts`) can only reach an external
/// account already attached in Stripe, by its `ba_…` id, not an account number and routing code, so
/// Coffer's bank destinations have no faithful Stripe form.
///
/// Every transfer carries `Idempotency-Key`, Coffer's payout id as `transfer_group` and
/// `metadata[coffer_payout_id]`, so a retry returns the first transfer and one whose answer was lost is
/// found by its group.
struct StripeTransferAdapter: PayoutProviderAdapter {
    let provider = ProviderName.stripe
    let destinations: Set<PayoutDestination.Kind> = [.stripeAccount]
    let api: StripeTransferAPI

    init(httpClient: any HTTPClient) {
        api = StripeTransferAPI(
            client: StripeClient(transport: ProviderTransport(provider: .stripe, httpClient: httpClient)))
    }

    func send(_ request: ProviderPayoutRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState
    {
        guard case .stripeAccount(let accountID) = request.destination else {
            throw ProviderError.invalid("destination_unsupported", "Stripe pays out to connected accounts only.")
        }
        var form = FormBody()
        form.add("amount", String(request.amount.minorUnits))
        form.add("currency", request.amount.currency.code.lowercased())
        form.add("destination", try ProviderIdentifiers.require(accountID, "connected account id"))
        form.add("transfer_group", request.payoutID)
        form.add("description", request.sentNarration)
        form.add("metadata", "coffer_payout_id", request.payoutID)
        let transfer = try await api.post(
            "/v1/transfers", form: form, idempotencyKey: request.idempotencyKey, connector: connector)
        return try StripeTransferMapping.state(transfer)
    }

    /// `GET /v1/transfers/{id}`, or `GET /v1/transfers?transfer_group=<payout id>` (the newest transfer
    /// of the group that carries Coffer's payout id, checked here too).
    func fetch(providerPayoutID: String?, reference: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState?
    {
        if let providerPayoutID {
            let id = try ProviderIdentifiers.require(providerPayoutID, "transfer id")
            guard let transfer = try await api.find("/v1/transfers/{}", ids: [id], connector: connector) else {
                return nil
            }
            return try StripeTransferMapping.state(transfer)
        }
        let group = try ProviderIdentifiers.require(reference, "payout reference")
        let list = try await api.get("/v1/transfers", query: [("transfer_group", group)], connector: connector)
        let matches = try list.array("data").filter {
            $0["transfer_group"]?.stringValue == group
                || $0.value(at: "metadata.coffer_payout_id")?.stringValue == group
        }
        guard let newest = StripeTransferMapping.newest(matches) else { return nil }
        return try StripeTransferMapping.state(list.with(newest))
    }

    /// `GET /v1/balance`: the platform's `available` amount in `currency`, which is what transfers draw
    /// on. A currency Stripe does not list holds nothing.
    func balance(currency: Currency, connector: ProviderConnector) async throws(ProviderError) -> Int64? {
        let balance = try await api.get("/v1/balance", connector: connector)
        var total: Int64 = 0
        for entry in try balance.array("available") where entry["currency"]?.stringValue?.uppercased() == currency.code
        {
            guard let amount = entry["amount"]?.int64Value else {
                throw balance.unexpected("an available amount that is not an integer")
            }
            let (sum, overflow) = total.addingReportingOverflow(amount)
            guard !overflow else { throw balance.unexpected("an available amount out of range") }
            total = sum
        }
        return total
    }
}
