import Contracts
import HTTP
import ProviderKit
import Shared

/// Razorpay's Orders and Payments APIs.
///
/// Coffer creates an order; the customer pays it in Checkout (the action URL, see
/// `RazorpayCheckoutURL`), which creates a payment (`pay_…`) under the order. Until a payment exists
/// the `providerPaymentID` is the order id; states read from a payment carry the payment id. Every
/// operation accepts either id.
///
/// Razorpay takes no idempotency key for orders, captures or refunds. The natural keys are Coffer's own
/// ids, which the adapter writes into each object and looks up before writing again:
/// - an order's `receipt` is Coffer's payment id, and `GET /v1/orders?receipt=` finds an order an
///   earlier, unanswered attempt created;
/// - a refund's `receipt` and `notes.coffer_refund_id` are Coffer's refund id, found among the
///   payment's refunds;
/// - a capture is only sent to an `authorized` payment; an already captured one is reported captured.
/// Two attempts racing each other could still both write; the gateway runs one operation per payment
/// at a time, which closes that window.
struct RazorpayAdapter: PaymentProviderAdapter {
    let provider = ProviderName.razorpay
    let api: RazorpayAPI
    let checkout: RazorpayCheckoutURL

    init(httpClient: any HTTPClient, checkoutURLTemplate: String = RazorpayCheckoutURL.sandboxTemplate) {
        api = RazorpayAPI(
            client: RazorpayClient(transport: ProviderTransport(provider: .razorpay, httpClient: httpClient)))
        checkout = RazorpayCheckoutURL(template: checkoutURLTemplate)
    }

    func createPayment(_ request: ProviderPaymentRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPaymentState
    {
        if let (existing, lookup) = try await existingOrder(receipt: request.paymentID, connector: connector) {
            guard existing["amount"]?.int64Value == request.amount.minorUnits,
                existing["currency"]?.stringValue?.uppercased() == request.amount.currency.code
            else {
                throw ProviderError.invalid(
                    "receipt_reused", "A Razorpay order with this payment's receipt has another amount.")
            }
            return try await orderPaymentState(
                try RazorpayMapping.string(existing, "id", call: lookup), role: .lookup,
                connector: connector)
        }
        let body: JSONValue = [
            "amount": .int(request.amount.minorUnits),
            "currency": .string(request.amount.currency.code),
            "receipt": .string(request.paymentID),
            "notes": ["coffer_payment_id": .string(request.paymentID)],
            // 1: Razorpay captures as soon as the payment is authorized; 0: Coffer captures.
            "payment_capture": .int(request.captureMethod == .automatic ? 1 : 0),
        ]
        let (order, call) = try await api.post("/v1/orders", body: body, connector: connector)
        let orderID = try RazorpayMapping.string(order, "id", call: call)
        return ProviderPaymentState(
            providerPaymentID: orderID,
            status: .requiresAction(
                url: checkout.url(orderID: orderID, paymentID: request.paymentID, connector: connector)),
            amountCapturable: 0, amountCaptured: 0, currency: try RazorpayMapping.currency(order, call: call),
            rawStatus: order["status"]?.stringValue ?? "created")
    }

    func capturePayment(
        _ providerPaymentID: String, amount: Money?, idempotencyKey: String,
        connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderPaymentState {
        let (payment, readCall) = try await currentPayment(providerPaymentID, connector: connector)
        guard let payment else {
            throw ProviderError.invalid("payment_not_authorized", "The Razorpay order has no payment to capture.")
        }
        let status = payment["status"]?.stringValue
        if status == "captured" || status == "refunded" {
            return try RazorpayMapping.paymentState(payment, call: readCall)
        }
        guard status == "authorized" else {
            throw ProviderError.invalid("payment_not_authorized", "The Razorpay payment is not authorized.")
        }
        let paymentID = try RazorpayMapping.string(payment, "id", call: readCall)
        let currency = try RazorpayMapping.currency(payment, call: readCall)
        if let amount, amount.currency != currency {
            throw ProviderError.invalid("currency_mismatch", "The capture's currency is not the payment's.")
        }
        // Razorpay captures the whole authorized amount only; a different amount is refused by Razorpay.
        var captureAmount = try RazorpayMapping.amount(payment, call: readCall)
        if let amount { captureAmount = amount.minorUnits }
        let body: JSONValue = ["amount": .int(captureAmount), "currency": .string(currency.code)]
        do throws(ProviderError) {
            let (captured, call) = try await api.post(
                "/v1/payments/{}/capture", ids: [paymentID], body: body,
                connector: connector)
            return try RazorpayMapping.paymentState(captured, call: call)
        } catch  where error.kind == .invalidRequest {
            // Razorpay refuses a second capture ("already captured"): if an earlier attempt whose answer
            // was lost, or Razorpay's own automatic capture, got there first, the capture is done.
            let (again, call) = try await api.get(
                "/v1/payments/{}", ids: [paymentID], role: .lookup, connector: connector)
            guard again["status"]?.stringValue == "captured" else { throw error }
            return try RazorpayMapping.paymentState(again, call: call)
        }
    }

    /// Razorpay cannot cancel an order or void an authorization: an unpaid order simply goes unused,
    /// and an authorized payment that is never captured is released to the customer by Razorpay (after
    /// the account's capture window). So this only reads: an unpaid order or an uncaptured payment is
    /// reported `.canceled` (Coffer will not capture it); a captured payment must be refunded instead.
    /// A customer who pays the order later anyway shows up in a webhook, and that payment is refunded.
    func cancelPayment(_ providerPaymentID: String, idempotencyKey: String, connector: ProviderConnector)
        async throws(ProviderError) -> ProviderPaymentState
    {
        let (payment, call) = try await currentPayment(providerPaymentID, connector: connector)
        guard let payment else {
            let (order, orderCall) = try await api.get(
                "/v1/orders/{}", ids: [providerPaymentID], role: .lookup,
                connector: connector)
            return ProviderPaymentState(
                providerPaymentID: try RazorpayMapping.string(order, "id", call: orderCall), status: .canceled,
                amountCapturable: 0, amountCaptured: 0, currency: try RazorpayMapping.currency(order, call: orderCall),
                rawStatus: order["status"]?.stringValue ?? "created")
        }
        let status = try RazorpayMapping.string(payment, "status", call: call)
        guard status != "captured", status != "refunded" else {
            throw ProviderError.invalid(
                "payment_captured", "A captured Razorpay payment cannot be canceled; refund it.")
        }
        return ProviderPaymentState(
            providerPaymentID: try RazorpayMapping.string(payment, "id", call: call), status: .canceled,
            amountCapturable: 0, amountCaptured: 0, currency: try RazorpayMapping.currency(payment, call: call),
            rawStatus: status)
    }

    func refund(_ request: ProviderRefundRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderRefundState
    {
        let paymentID = try await capturedPaymentID(request.providerPaymentID, connector: connector)
        if let (existing, call) = try await existingRefund(
            paymentID: paymentID, refundID: request.refundID,
            connector: connector)
        {
            return try RazorpayMapping.refundState(existing, call: call)
        }
        let body: JSONValue = [
            "amount": .int(request.amount.minorUnits),
            "notes": ["coffer_refund_id": .string(request.refundID)],
            "receipt": .string(request.refundID),
        ]
        let (refund, call) = try await api.post(
            "/v1/payments/{}/refund", ids: [paymentID], body: body,
            connector: connector)
        return try RazorpayMapping.refundState(refund, call: call)
    }

    func fetchPayment(_ providerPaymentID: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPaymentState
    {
        let id = try ProviderIdentifiers.require(providerPaymentID, "payment or order id")
        guard Self.isPaymentID(id) else {
            return try await orderPaymentState(id, role: .operation, connector: connector)
        }
        let (payment, call) = try await api.get("/v1/payments/{}", ids: [id], role: .operation, connector: connector)
        return try RazorpayMapping.paymentState(payment, call: call)
    }

    func fetchRefund(_ providerRefundID: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderRefundState
    {
        let id = try ProviderIdentifiers.require(providerRefundID, "refund id")
        let (refund, call) = try await api.get("/v1/refunds/{}", ids: [id], role: .operation, connector: connector)
        return try RazorpayMapping.refundState(refund, call: call)
    }

    static func isPaymentID(_ id: String) -> Bool { id.hasPrefix("pay_") }
}
