import Contracts
import HTTP
import ProviderKit
import Shared

/// MTN MoMo Disbursements: transfers from the business's disbursement wallet to a MoMo wallet (MSISDN).
/// The flow is `MoMoDisbursement`'s; MTN adds its token endpoint, subscription key and target
/// environment (`MTNTokenAuthorization`). Transfers are accepted (202) and settle later: a callback,
/// which ingress confirms through the same status call, or a lookup.
struct MTNDisbursementAdapter: PayoutProviderAdapter {
    let provider = ProviderName.mtn
    let destinations: Set<PayoutDestination.Kind> = [.mobileMoney]
    let momo: MoMoDisbursement

    /// `tokens` is shared by every call through this adapter: one access token per connector.
    init(httpClient: any HTTPClient, tokens: ProviderTokenCache = ProviderTokenCache()) {
        let transport = ProviderTransport(provider: .mtn, httpClient: httpClient)
        momo = MoMoDisbursement(
            api: MoMoDisbursementAPI(
                provider: .mtn, transport: transport,
                authorization: MTNTokenAuthorization(transport: transport, tokens: tokens)),
            defaultCurrency: nil)
    }

    func send(_ request: ProviderPayoutRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState
    {
        try await momo.send(request, connector: connector)
    }

    func fetch(providerPayoutID: String?, reference: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState?
    {
        try await momo.fetch(providerPayoutID: providerPayoutID, reference: reference, connector: connector)
    }

    func balance(currency: Currency, connector: ProviderConnector) async throws(ProviderError) -> Int64? {
        try await momo.balance(currency: currency, connector: connector)
    }
}
