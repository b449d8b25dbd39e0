import Contracts
import HTTP
import ProviderKit
import Shared

/// PayPal Payouts: one batch of one item per Coffer payout, to a PayPal account's email.
///
/// Two guards against paying twice: `PayPal-Request-Id` (the idempotency key; PayPal answers a repeat
/// with the first answer) and `sender_batch_id` (the same key; PayPal refuses a second batch with it for
/// 30 days and links the original, which this adapter then reads and reports). So after a lost answer,
/// sending again with the same key is the way to learn what happened: PayPal has no lookup by Coffer's
/// reference, and `fetch` without a batch id says so.
struct PayPalPayoutsAdapter: PayoutProviderAdapter {
    let provider = ProviderName.paypal
    let destinations: Set<PayoutDestination.Kind> = [.paypal]
    let api: PayPalClient

    /// `tokens` is shared by every call through this adapter: one access token per connector.
    init(httpClient: any HTTPClient, tokens: ProviderTokenCache = ProviderTokenCache()) {
        api = PayPalClient(transport: ProviderTransport(provider: .paypal, httpClient: httpClient), tokens: tokens)
    }

    func send(_ request: ProviderPayoutRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState
    {
        let key = try ProviderIdentifiers.requireKey(request.idempotencyKey)
        let body = try PayPalPayoutsBody.json(request, senderBatchID: key)
        let payee = request.destination.secrets
        let created = try await api.exchange(
            .POST, "/v1/payments/payouts", body: body, requestID: key, secrets: payee, connector: connector)
        if let batchID = PayPalPayoutsErrorMapping.duplicateBatchID(created.response) {
            // An earlier attempt created the batch: report it rather than fail a payout that was sent.
            let batch = try await api.exchange(
                .GET, "/v1/payments/payouts/{}", ids: [batchID], role: .lookup, secrets: payee, connector: connector)
            return try PayPalPayoutsMapping.batchState(
                try Self.answer(batch), reference: request.payoutID, fallback: request.amount, secrets: batch.secrets)
        }
        return try PayPalPayoutsMapping.batchState(
            try Self.answer(created), reference: request.payoutID, fallback: request.amount, secrets: created.secrets)
    }

    /// `GET /v1/payments/payouts/{batch id}`; an id PayPal does not know as a batch is tried as an item
    /// (`GET /v1/payments/payouts-item/{id}`, the id webhooks carry). Nil when neither exists.
    func fetch(providerPayoutID: String?, reference: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState?
    {
        guard let providerPayoutID else {
            throw ProviderError.invalid(
                "reference_lookup_unsupported",
                "PayPal cannot find a payout by Coffer's reference; send it again with the same idempotency key.")
        }
        let id = try ProviderIdentifiers.require(providerPayoutID, "payout batch id")
        let batch = try await api.exchange(.GET, "/v1/payments/payouts/{}", ids: [id], connector: connector)
        if batch.response.status.code != 404 {
            return try PayPalPayoutsMapping.batchState(
                try Self.answer(batch), reference: reference, fallback: nil, secrets: batch.secrets)
        }
        let item = try await api.exchange(.GET, "/v1/payments/payouts-item/{}", ids: [id], connector: connector)
        if item.response.status.code == 404 { return nil }
        return try PayPalPayoutsMapping.itemState(try Self.answer(item), batchID: nil, secrets: item.secrets)
    }

    /// `GET /v1/reporting/balances?currency_code=…`: the `available_balance` of that currency. Nil when
    /// PayPal lists none, and when the app lacks the Transaction Search permission this needs (403),
    /// which payouts themselves do not.
    func balance(currency: Currency, connector: ProviderConnector) async throws(ProviderError) -> Int64? {
        let exchange = try await api.exchange(
            .GET, "/v1/reporting/balances", query: [("currency_code", currency.code)], connector: connector)
        if exchange.response.status.code == 403 { return nil }
        let balances = try Self.answer(exchange)
        guard let entry = try balances.array("balances").first(where: { $0["currency"]?.stringValue == currency.code }),
            entry["available_balance"] != nil
        else { return nil }
        let available = balances.with(entry)
        guard try available.currency("available_balance.currency_code") == currency else { return nil }
        return try available.majorUnits("available_balance.value", currency: currency)
    }

    /// A JSON success, or PayPal's error read as a payouts error.
    private static func answer(_ exchange: ProviderExchange) throws(ProviderError) -> PayoutAnswer {
        try exchange.payoutAnswer(.paypal, PayPalPayoutsErrorMapping.error)
    }
}
