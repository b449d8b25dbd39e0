import ProviderKit
import Shared

/// PayPal orders, captures and refunds as Coffer states. The `providerPaymentID` is always the order id.
enum PayPalOrderMapping {
    /// `fallbackAmount` stands in when PayPal's answer omits the amount (its minimal representation).
    static func state(_ order: PayPalOrder, fallbackAmount: Money?, call: ProviderCall) throws(ProviderError)
        -> ProviderPaymentState
    {
        guard
            let currency =
                (order.amount ?? fallbackAmount ?? order.authorizations.first?.amount
                ?? order.captures.first?.amount)?.currency
        else {
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "an order without an amount")
        }
        let total = (order.amount ?? fallbackAmount)?.minorUnits ?? 0
        var capturable: Int64 = 0
        var captured: Int64 = 0
        let status: ProviderPaymentState.Status
        switch order.status {
        case "CREATED", "PAYER_ACTION_REQUIRED":
            status = .requiresAction(url: order.actionURL ?? "")
        case "SAVED":
            status = .processing
        case "APPROVED":
            // Approved by the payer but not yet captured (CAPTURE) or authorized (AUTHORIZE): Coffer captures.
            status = .authorized
            capturable = total
        case "VOIDED":
            status = .canceled
        case "COMPLETED" where order.isAuthorizeIntent:
            return try authorizationState(order, currency: currency, total: total, call: call)
        case "COMPLETED":
            status = captureStatus(order.captures)
            // The minimal representation lists no capture amounts: the order's amount was captured.
            if status == .captured { captured = order.capturedAmount > 0 ? order.capturedAmount : total }
        default:
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "an unknown order status")
        }
        return ProviderPaymentState(
            providerPaymentID: order.id, status: status, amountCapturable: capturable,
            amountCaptured: captured, currency: currency, rawStatus: order.status)
    }

    /// A completed AUTHORIZE order: its first authorization decides.
    private static func authorizationState(
        _ order: PayPalOrder, currency: Currency, total: Int64,
        call: ProviderCall
    ) throws(ProviderError) -> ProviderPaymentState {
        guard let authorization = order.authorizations.first else {
            throw ProviderError.unexpectedResponse(
                provider: .paypal, call: call, "a completed order without authorization")
        }
        let captured = order.capturedAmount
        var capturable: Int64 = 0
        let status: ProviderPaymentState.Status
        switch authorization.status {
        case "CREATED":
            status = .authorized
            capturable = authorization.amount?.minorUnits ?? total
        case "PENDING": status = .processing
        case "CAPTURED", "PARTIALLY_CAPTURED": status = .captured
        case "VOIDED", "EXPIRED": status = captured > 0 ? .captured : .canceled
        case "DENIED": status = .failed(code: "AUTHORIZATION_DENIED", message: nil)
        default:
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "an unknown authorization status")
        }
        return ProviderPaymentState(
            providerPaymentID: order.id, status: status, amountCapturable: capturable,
            amountCaptured: captured, currency: currency, rawStatus: order.status)
    }

    /// Completed captures win; then pending ones; a capture that was declined is a failure.
    static func captureStatus(_ captures: [PayPalOrder.Transaction]) -> ProviderPaymentState.Status {
        if captures.isEmpty || captures.contains(where: { PayPalOrder.capturedStatuses.contains($0.status) }) {
            return .captured
        }
        if captures.contains(where: { $0.status == "PENDING" }) { return .processing }
        return .failed(code: captures.first.map { "CAPTURE_\($0.status)" }, message: nil)
    }

    /// The answer to capturing an authorization: a capture object, reported against the order.
    static func captureState(_ capture: JSONValue, orderID: String, requested: Money, call: ProviderCall)
        throws(ProviderError) -> ProviderPaymentState
    {
        guard let rawStatus = capture["status"]?.stringValue else {
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "a capture without status")
        }
        let amount = try PayPalAmount.money(capture["amount"], call: call) ?? requested
        let transaction = PayPalOrder.Transaction(
            id: capture["id"]?.stringValue ?? "", status: rawStatus, amount: amount)
        let status = captureStatus([transaction])
        return ProviderPaymentState(
            providerPaymentID: orderID, status: status, amountCapturable: 0,
            amountCaptured: status == .captured ? amount.minorUnits : 0,
            currency: amount.currency, rawStatus: rawStatus)
    }

    /// A refund (`COMPLETED`, `PENDING`, `FAILED`, `CANCELLED`).
    static func refundState(_ refund: JSONValue, fallbackAmount: Money?, call: ProviderCall) throws(ProviderError)
        -> ProviderRefundState
    {
        guard let id = refund["id"]?.stringValue, !id.isEmpty, let rawStatus = refund["status"]?.stringValue else {
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "a refund without id or status")
        }
        guard let amount = try PayPalAmount.money(refund["amount"], call: call) ?? fallbackAmount else {
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "a refund without an exact amount")
        }
        let status: ProviderRefundState.Status
        switch rawStatus {
        case "COMPLETED": status = .succeeded
        case "PENDING": status = .pending
        case "FAILED", "CANCELLED": status = .failed
        default: throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "an unknown refund status")
        }
        return ProviderRefundState(
            providerRefundID: id, status: status, amount: amount.minorUnits, rawStatus: rawStatus)
    }
}
