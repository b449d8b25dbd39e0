import HTTP
import ProviderKit
import Shared

/// Reads the operations need first: which payment an order id stands for, and what an earlier
/// unanswered attempt may already have created.
extension RazorpayAdapter {
    /// The payment an id stands for: itself for a `pay_…` id; for an order, its most advanced payment
    /// that did not fail (captured, then authorized, then under way; newest first), or nil.
    func currentPayment(_ providerPaymentID: String, connector: ProviderConnector) async throws(ProviderError)
        -> (JSONValue?, ProviderCall)
    {
        let id = try ProviderIdentifiers.require(providerPaymentID, "payment or order id")
        if Self.isPaymentID(id) {
            let (payment, call) = try await api.get("/v1/payments/{}", ids: [id], role: .lookup, connector: connector)
            return (payment, call)
        }
        let (payments, call) = try await orderPayments(id, role: .lookup, connector: connector)
        return (Self.mostAdvanced(payments), call)
    }

    /// A payment id to refund: the id itself, or the order's captured payment.
    func capturedPaymentID(_ providerPaymentID: String, connector: ProviderConnector) async throws(ProviderError)
        -> String
    {
        let id = try ProviderIdentifiers.require(providerPaymentID, "payment or order id")
        if Self.isPaymentID(id) { return id }
        let (payments, call) = try await orderPayments(id, role: .lookup, connector: connector)
        guard let payment = Self.mostAdvanced(payments), Self.rank(payment) == 3 else {
            throw ProviderError.invalid("payment_not_captured", "The Razorpay order has no captured payment to refund.")
        }
        return try RazorpayMapping.string(payment, "id", call: call)
    }

    /// An order's state: its most advanced payment when it has one, else the order's own status (with
    /// the latest failed attempt, if any).
    func orderPaymentState(_ orderID: String, role: ProviderCall.Role, connector: ProviderConnector)
        async throws(ProviderError) -> ProviderPaymentState
    {
        let (payments, call) = try await orderPayments(orderID, role: role, connector: connector)
        if let payment = Self.mostAdvanced(payments) { return try RazorpayMapping.paymentState(payment, call: call) }
        let (order, orderCall) = try await api.get("/v1/orders/{}", ids: [orderID], role: role, connector: connector)
        let url = checkout.url(orderID: orderID, paymentID: order["receipt"]?.stringValue, connector: connector)
        return try RazorpayMapping.orderState(order, latestFailure: payments.first, checkoutURL: url, call: orderCall)
    }

    /// `GET /v1/orders/{id}/payments`, newest first.
    func orderPayments(_ orderID: String, role: ProviderCall.Role, connector: ProviderConnector)
        async throws(ProviderError) -> ([JSONValue], ProviderCall)
    {
        let (collection, call) = try await api.get(
            "/v1/orders/{}/payments", ids: [orderID], role: role,
            connector: connector)
        return (RazorpayMapping.newestFirst(try RazorpayMapping.items(collection, call: call)), call)
    }

    /// The newest order whose `receipt` is Coffer's payment id (`GET /v1/orders?receipt=`). The match is
    /// checked here too, in case a server ignores the filter. A server without the list endpoint
    /// (4xx) gives no de-duplication rather than no payments.
    func existingOrder(receipt: String, connector: ProviderConnector) async throws(ProviderError)
        -> (JSONValue, ProviderCall)?
    {
        do throws(ProviderError) {
            let (list, call) = try await api.get(
                "/v1/orders", query: [("receipt", receipt)], role: .lookup,
                connector: connector)
            let match = RazorpayMapping.newestFirst(try RazorpayMapping.items(list, call: call))
                .first { $0["receipt"]?.stringValue == receipt }
            return match.map { ($0, call) }
        } catch  where error.kind == .invalidRequest {
            return nil
        }
    }

    /// A refund of `paymentID` that carries Coffer's refund id (in `notes` or as its `receipt`).
    func existingRefund(paymentID: String, refundID: String, connector: ProviderConnector)
        async throws(ProviderError) -> (JSONValue, ProviderCall)?
    {
        do throws(ProviderError) {
            let (list, call) = try await api.get(
                "/v1/payments/{}/refunds", ids: [paymentID], role: .lookup,
                connector: connector)
            let match = try RazorpayMapping.items(list, call: call).first {
                $0.value(at: "notes.coffer_refund_id")?.stringValue == refundID
                    || $0["receipt"]?.stringValue == refundID
            }
            return match.map { ($0, call) }
        } catch  where error.kind == .invalidRequest {
            return nil
        }
    }

    /// The most advanced payment that did not fail; among equals, the newest (the input is newest first).
    static func mostAdvanced(_ payments: [JSONValue]) -> JSONValue? {
        var best: JSONValue?
        for payment in payments where rank(payment) > 0 && rank(payment) > best.map(rank) ?? 0 {
            best = payment
        }
        return best
    }

    /// captured/refunded 3, authorized 2, created 1, failed or unknown 0.
    static func rank(_ payment: JSONValue) -> Int {
        switch payment["status"]?.stringValue {
        case "captured", "refunded": 3
        case "authorized": 2
        case "created": 1
        default: 0
        }
    }
}
