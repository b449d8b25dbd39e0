import Contracts
import HTTP
import ProviderKit
import Shared

/// Stripe's PaymentIntents API: one intent per Coffer payment, created and confirmed in one call.
///
/// Every POST carries the caller's `Idempotency-Key`, which Stripe honours for 24 hours, so a retried
/// create, capture, cancel or refund returns the first result instead of acting twice.
struct StripeAdapter: PaymentProviderAdapter {
    /// Stripe's test card, used only by test connectors when the front end supplied no method.
    static let testPaymentMethod = "pm_card_visa"

    let provider = ProviderName.stripe
    private let client: StripeClient

    init(httpClient: any HTTPClient) {
        client = StripeClient(transport: ProviderTransport(provider: .stripe, httpClient: httpClient))
    }

    func createPayment(_ request: ProviderPaymentRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPaymentState
    {
        guard let paymentMethod = request.paymentMethod ?? (connector.livemode ? nil : Self.testPaymentMethod) else {
            throw ProviderError.invalid("payment_method_required", "A live Stripe payment needs a payment method.")
        }
        var form = FormBody()
        form.add("amount", String(request.amount.minorUnits))
        form.add("currency", request.amount.currency.code.lowercased())
        form.add("capture_method", request.captureMethod.rawValue)
        form.add("confirm", "true")
        form.add("payment_method", paymentMethod)
        form.add("description", request.description)
        form.add("receipt_email", request.customerEmail)
        if let returnURL = request.returnURL {
            form.add("return_url", returnURL)
        } else {
            // Without a return URL Stripe refuses to confirm an intent that could pick a redirect-based
            // method; limiting it to methods that never redirect is what Stripe asks for instead.
            form.add("automatic_payment_methods", "enabled", "true")
            form.add("automatic_payment_methods", "allow_redirects", "never")
        }
        form.add("metadata", "coffer_payment_id", request.paymentID)
        let (intent, call) = try await post(
            "/v1/payment_intents", form: form, key: request.idempotencyKey,
            connector: connector)
        return try StripePaymentIntentMapping.state(intent, call: call)
    }

    func capturePayment(
        _ providerPaymentID: String, amount: Money?, idempotencyKey: String,
        connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderPaymentState {
        let id = try ProviderIdentifiers.require(providerPaymentID, "payment intent id")
        var form = FormBody()
        if let amount { form.add("amount_to_capture", String(amount.minorUnits)) }
        let (intent, call) = try await post(
            "/v1/payment_intents/{}/capture", id, form: form, key: idempotencyKey,
            connector: connector)
        return try StripePaymentIntentMapping.state(intent, call: call)
    }

    func cancelPayment(_ providerPaymentID: String, idempotencyKey: String, connector: ProviderConnector)
        async throws(ProviderError) -> ProviderPaymentState
    {
        let id = try ProviderIdentifiers.require(providerPaymentID, "payment intent id")
        let (intent, call) = try await post(
            "/v1/payment_intents/{}/cancel", id, form: FormBody(),
            key: idempotencyKey, connector: connector)
        return try StripePaymentIntentMapping.state(intent, call: call)
    }

    func refund(_ request: ProviderRefundRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderRefundState
    {
        var form = FormBody()
        form.add("payment_intent", try ProviderIdentifiers.require(request.providerPaymentID, "payment intent id"))
        form.add("amount", String(request.amount.minorUnits))
        if let reason = request.reason, StripeRefundMapping.allowedReasons.contains(reason) {
            form.add("reason", reason)
        }
        form.add("metadata", "coffer_refund_id", request.refundID)
        let (refund, call) = try await post(
            "/v1/refunds", form: form, key: request.idempotencyKey,
            connector: connector)
        return try StripeRefundMapping.state(refund, call: call)
    }

    func fetchPayment(_ providerPaymentID: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPaymentState
    {
        let id = try ProviderIdentifiers.require(providerPaymentID, "payment intent id")
        let (intent, call) = try await get("/v1/payment_intents/{}", id, connector: connector)
        return try StripePaymentIntentMapping.state(intent, call: call)
    }

    func fetchRefund(_ providerRefundID: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderRefundState
    {
        let id = try ProviderIdentifiers.require(providerRefundID, "refund id")
        let (refund, call) = try await get("/v1/refunds/{}", id, connector: connector)
        return try StripeRefundMapping.state(refund, call: call)
    }

    // MARK: Calls

    private func post(_ path: String, _ ids: String..., form: FormBody, key: String, connector: ProviderConnector)
        async throws(ProviderError) -> (JSONValue, ProviderCall)
    {
        try Self.answer(
            try await client.exchange(.POST, path, ids: ids, form: form, idempotencyKey: key, connector: connector))
    }

    private func get(_ path: String, _ ids: String..., connector: ProviderConnector) async throws(ProviderError)
        -> (JSONValue, ProviderCall)
    {
        try Self.answer(try await client.exchange(.GET, path, ids: ids, connector: connector))
    }

    private static func answer(_ exchange: ProviderExchange) throws(ProviderError) -> (JSONValue, ProviderCall) {
        guard exchange.isSuccess else { throw StripeErrorMapping.error(exchange) }
        return (try exchange.json(.stripe), exchange.call)
    }
}
