import Contracts
import HTTP
import ProviderKit
import Shared

/// Zamtel Kwacha disbursements — a BEST-EFFORT shape. No public Zamtel API reference could be found, so
/// this follows what Coffer already assumes about Zamtel (ingress reads its callbacks as MTN MoMo's):
/// the MoMo Open API disbursement flow (`MoMoDisbursement`: `POST /disbursement/v1_0/transfer` with a
/// derived `X-Reference-Id`, status by reference id, balance), authorized as `ZamtelKeyAuthorization`
/// assumes. Everything provider-specific is in these two files, to be corrected against Zamtel's real
/// API before a live connector is used. Zamtel moves kwacha only, so other currencies are refused
/// before any call.
struct ZamtelDisbursementAdapter: PayoutProviderAdapter {
    let provider = ProviderName.zamtel
    let destinations: Set<PayoutDestination.Kind> = [.mobileMoney]
    let momo: MoMoDisbursement

    init(httpClient: any HTTPClient) {
        momo = MoMoDisbursement(
            api: MoMoDisbursementAPI(
                provider: .zamtel, transport: ProviderTransport(provider: .zamtel, httpClient: httpClient),
                authorization: ZamtelKeyAuthorization()),
            defaultCurrency: .zmw)
    }

    func send(_ request: ProviderPayoutRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState
    {
        guard request.amount.currency == .zmw else {
            throw ProviderError.invalid("currency_unsupported", "Zamtel pays out in ZMW only.")
        }
        return try await momo.send(request, connector: connector)
    }

    func fetch(providerPayoutID: String?, reference: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState?
    {
        try await momo.fetch(providerPayoutID: providerPayoutID, reference: reference, connector: connector)
    }

    func balance(currency: Currency, connector: ProviderConnector) async throws(ProviderError) -> Int64? {
        guard currency == .zmw else { return nil }
        return try await momo.balance(currency: currency, connector: connector)
    }
}
