import ProviderKit
import Shared

/// Razorpay payments, orders and refunds as Coffer states.
enum RazorpayMapping {
    /// A payment (`pay_…`): `created` is under way, `authorized` waits for capture, `captured` (and
    /// `refunded`, which is a captured payment whose money went back) is captured.
    static func paymentState(_ payment: JSONValue, call: ProviderCall) throws(ProviderError) -> ProviderPaymentState {
        let id = try string(payment, "id", call: call)
        let rawStatus = try string(payment, "status", call: call)
        let amount = try amount(payment, call: call)
        let currency = try currency(payment, call: call)
        let status: ProviderPaymentState.Status
        var capturable: Int64 = 0
        var captured: Int64 = 0
        switch rawStatus {
        case "created": status = .processing
        case "authorized":
            status = .authorized
            capturable = amount
        case "captured", "refunded":
            status = .captured
            captured = amount
        case "failed":
            status = .failed(
                code: payment["error_code"]?.stringValue,
                message: payment["error_description"]?.stringValue)
        default:
            throw ProviderError.unexpectedResponse(provider: .razorpay, call: call, "an unknown payment status")
        }
        return ProviderPaymentState(
            providerPaymentID: id, status: status, amountCapturable: capturable,
            amountCaptured: captured, currency: currency, rawStatus: rawStatus)
    }

    /// An order with no usable payment: `created` waits for the customer; `attempted` means every
    /// attempt failed (the latest failure is reported); `paid` while no payment is listed yet is under way.
    static func orderState(_ order: JSONValue, latestFailure: JSONValue?, checkoutURL: String, call: ProviderCall)
        throws(ProviderError) -> ProviderPaymentState
    {
        let id = try string(order, "id", call: call)
        let rawStatus = try string(order, "status", call: call)
        let currency = try currency(order, call: call)
        let status: ProviderPaymentState.Status
        switch rawStatus {
        case "attempted" where latestFailure != nil:
            status = .failed(
                code: latestFailure?["error_code"]?.stringValue,
                message: latestFailure?["error_description"]?.stringValue)
        case "created", "attempted": status = .requiresAction(url: checkoutURL)
        case "paid": status = .processing
        default:
            throw ProviderError.unexpectedResponse(provider: .razorpay, call: call, "an unknown order status")
        }
        return ProviderPaymentState(
            providerPaymentID: id, status: status, amountCapturable: 0, amountCaptured: 0,
            currency: currency, rawStatus: rawStatus)
    }

    static func refundState(_ refund: JSONValue, call: ProviderCall) throws(ProviderError) -> ProviderRefundState {
        let id = try string(refund, "id", call: call)
        let rawStatus = try string(refund, "status", call: call)
        let amount = try amount(refund, call: call)
        let status: ProviderRefundState.Status
        switch rawStatus {
        case "processed": status = .succeeded
        case "pending", "created": status = .pending
        case "failed": status = .failed
        default: throw ProviderError.unexpectedResponse(provider: .razorpay, call: call, "an unknown refund status")
        }
        return ProviderRefundState(providerRefundID: id, status: status, amount: amount, rawStatus: rawStatus)
    }

    /// The `items` of a collection answer.
    static func items(_ collection: JSONValue, call: ProviderCall) throws(ProviderError) -> [JSONValue] {
        guard let items = collection["items"]?.arrayValue else {
            throw ProviderError.unexpectedResponse(provider: .razorpay, call: call, "a collection without items")
        }
        return items
    }

    /// Newest first by `created_at` (Razorpay lists newest first already; this does not rely on it).
    static func newestFirst(_ objects: [JSONValue]) -> [JSONValue] {
        objects.enumerated().sorted { left, right in
            let a = left.element["created_at"]?.int64Value ?? 0
            let b = right.element["created_at"]?.int64Value ?? 0
            return a != b ? a > b : left.offset < right.offset
        }.map(\.element)
    }

    static func string(_ object: JSONValue, _ key: String, call: ProviderCall) throws(ProviderError) -> String {
        guard let value = object[key]?.stringValue, !value.isEmpty else {
            throw ProviderError.unexpectedResponse(provider: .razorpay, call: call, "no \(key)")
        }
        return value
    }

    static func amount(_ object: JSONValue, call: ProviderCall) throws(ProviderError) -> Int64 {
        guard let amount = object["amount"]?.int64Value, amount >= 0 else {
            throw ProviderError.unexpectedResponse(provider: .razorpay, call: call, "no amount in minor units")
        }
        return amount
    }

    static func currency(_ object: JSONValue, call: ProviderCall) throws(ProviderError) -> Currency {
        guard let currency = object["currency"]?.stringValue.flatMap(Currency.init(code:)) else {
            throw ProviderError.unexpectedResponse(provider: .razorpay, call: call, "no known currency")
        }
        return currency
    }
}
