import Contracts
import HTTP
import ProviderKit
import Shared

/// PayPal's Orders v2 API. Coffer creates an order (intent `CAPTURE` for automatic capture,
/// `AUTHORIZE` for manual); the payer approves it at the `payer-action` link; Coffer then captures
/// (authorizing first for `AUTHORIZE`). The `providerPaymentID` is always the order id: captures,
/// authorizations and refunds are found from the order.
///
/// Every POST carries `PayPal-Request-Id` (the caller's idempotency key, suffixed per step where one
/// operation makes two calls), which PayPal honours, so a retried operation does not act twice.
struct PayPalAdapter: PaymentProviderAdapter {
    /// PayPal's limit on a purchase unit's description.
    static let descriptionLimit = 127

    let provider = ProviderName.paypal
    let api: PayPalAPI

    /// `tokens` is shared by every call through this adapter: one access token per connector.
    init(httpClient: any HTTPClient, tokens: ProviderTokenCache = ProviderTokenCache()) {
        api = PayPalAPI(
            client: PayPalClient(
                transport: ProviderTransport(provider: .paypal, httpClient: httpClient), tokens: tokens))
    }

    func createPayment(_ request: ProviderPaymentRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPaymentState
    {
        var unit: [String: JSONValue] = [
            "reference_id": .string(request.paymentID),
            "custom_id": .string(request.paymentID),
            "amount": PayPalAmount.json(request.amount),
        ]
        if let description = request.description, !description.isEmpty {
            unit["description"] = .string(String(description.prefix(Self.descriptionLimit)))
        }
        var body: [String: JSONValue] = [
            "intent": .string(request.captureMethod == .automatic ? "CAPTURE" : "AUTHORIZE"),
            "purchase_units": [.object(unit)],
        ]
        var paypal: [String: JSONValue] = [:]
        if let returnURL = request.returnURL {
            // One page for both outcomes: it reads the order's status, which says whether the payer approved.
            paypal["experience_context"] = ["return_url": .string(returnURL), "cancel_url": .string(returnURL)]
        }
        if let email = request.customerEmail { paypal["email_address"] = .string(email) }
        if !paypal.isEmpty { body["payment_source"] = ["paypal": .object(paypal)] }

        let (json, call) = try await api.call(
            .POST, "/v2/checkout/orders", body: .object(body),
            requestID: request.idempotencyKey, connector: connector)
        let order = try PayPalOrder(try Self.require(json, call), call: call)
        return try PayPalOrderMapping.state(order, fallbackAmount: request.amount, call: call)
    }

    func fetchPayment(_ providerPaymentID: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPaymentState
    {
        let (order, call) = try await fetchOrder(providerPaymentID, role: .operation, connector: connector)
        return try PayPalOrderMapping.state(order, fallbackAmount: nil, call: call)
    }

    func refund(_ request: ProviderRefundRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderRefundState
    {
        let (order, _) = try await fetchOrder(request.providerPaymentID, role: .lookup, connector: connector)
        guard
            let capture = order.captures.first(where: { $0.status == "COMPLETED" || $0.status == "PARTIALLY_REFUNDED" })
        else {
            throw ProviderError.invalid("payment_not_captured", "The PayPal order has no capture to refund.")
        }
        if let currency = capture.amount?.currency, currency != request.amount.currency {
            throw ProviderError.invalid("currency_mismatch", "The refund's currency is not the capture's.")
        }
        let body: JSONValue = ["amount": PayPalAmount.json(request.amount), "custom_id": .string(request.refundID)]
        let (json, call) = try await api.call(
            .POST, "/v2/payments/captures/{}/refund", ids: [capture.id], body: body,
            requestID: request.idempotencyKey, connector: connector)
        return try PayPalOrderMapping.refundState(
            try Self.require(json, call), fallbackAmount: request.amount, call: call)
    }

    func fetchRefund(_ providerRefundID: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderRefundState
    {
        let id = try ProviderIdentifiers.require(providerRefundID, "refund id")
        let (json, call) = try await api.call(.GET, "/v2/payments/refunds/{}", ids: [id], connector: connector)
        return try PayPalOrderMapping.refundState(try Self.require(json, call), fallbackAmount: nil, call: call)
    }

    /// `GET /v2/checkout/orders/{id}`.
    func fetchOrder(_ orderID: String, role: ProviderCall.Role, connector: ProviderConnector)
        async throws(ProviderError) -> (PayPalOrder, ProviderCall)
    {
        let id = try ProviderIdentifiers.require(orderID, "order id")
        let (json, call) = try await api.call(
            .GET, "/v2/checkout/orders/{}", ids: [id], role: role, connector: connector)
        return (try PayPalOrder(try Self.require(json, call), call: call), call)
    }

    /// A JSON answer where one is expected (not an empty 2xx).
    static func require(_ json: JSONValue?, _ call: ProviderCall) throws(ProviderError) -> JSONValue {
        guard let json else { throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "an empty body") }
        return json
    }
}
