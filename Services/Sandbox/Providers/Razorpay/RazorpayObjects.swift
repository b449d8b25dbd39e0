import Shared

/// A Razorpay order: what the customer pays in Checkout.
struct RazorpayOrder: Sendable {
    let id: String
    let accountID: String
    let amount: Int64
    /// Upper-case ISO code, as Razorpay writes currencies.
    let currency: String
    let receipt: String?
    let notes: [String: String]
    /// `payment_capture`: capture right after authorization.
    let capturesAutomatically: Bool
    /// `created`, `attempted` (a payment was tried), `paid` (a payment was captured).
    var status = "created"
    var amountPaid: Int64 = 0
    var attempts = 0
    var paymentIDs: [String] = []
    /// Set when the order was made for a payment link (Razorpay makes one per link).
    var paymentLinkID: String?
    let createdAt: Int64

    /// Coffer's id as the merchant wrote it: `notes.coffer_payment_id`, else the receipt.
    var cofferID: String? { notes["coffer_payment_id"] ?? receipt }

    var json: JSONValue {
        .object([
            "id": .string(id), "entity": "order", "amount": .int(amount), "amount_paid": .int(amountPaid),
            "amount_due": .int(amount - amountPaid), "currency": .string(currency),
            "receipt": receipt.map(JSONValue.string) ?? .null,
            "offer_id": .null, "status": .string(status), "attempts": .int(Int64(attempts)),
            "notes": notes.razorpayNotes,
            "created_at": .int(createdAt),
        ])
    }
}

/// A payment made against an order.
struct RazorpayPayment: Sendable {
    let id: String
    let accountID: String
    let orderID: String
    let amount: Int64
    let currency: String
    /// `created`, `authorized`, `captured`, `refunded` or `failed`.
    var status: String
    var captured = false
    var amountRefunded: Int64 = 0
    var notes: [String: String]
    var errorCode: String?
    var errorDescription: String?
    var errorSource: String?
    var errorStep: String?
    var errorReason: String?
    var fee: Int64?
    var tax: Int64?
    let createdAt: Int64

    var refundStatus: String? {
        guard amountRefunded > 0 else { return nil }
        return amountRefunded >= amount ? "full" : "partial"
    }

    var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(id), "entity": "payment", "amount": .int(amount), "currency": .string(currency),
            "status": .string(status),
            "order_id": .string(orderID), "invoice_id": .null, "international": false, "method": "card",
            "amount_refunded": .int(amountRefunded), "refund_status": text(refundStatus), "captured": .bool(captured),
            "description": .null, "card_id": .null, "bank": .null, "wallet": .null, "vpa": .null,
            "email": "customer@example.com",
            "contact": "+919000090000", "notes": notes.razorpayNotes, "fee": fee.map(JSONValue.int) ?? .null,
            "tax": tax.map(JSONValue.int) ?? .null, "error_code": text(errorCode),
            "error_description": text(errorDescription),
            "error_source": text(errorSource), "error_step": text(errorStep), "error_reason": text(errorReason),
            "acquirer_data": .object(["auth_code": status == "failed" ? .null : "123456"]),
            "created_at": .int(createdAt),
        ])
    }
}

/// A refund of (part of) a captured payment; card refunds in the sandbox are processed at once.
struct RazorpayRefund: Sendable {
    let id: String
    let accountID: String
    let paymentID: String
    let amount: Int64
    let currency: String
    let notes: [String: String]
    let receipt: String?
    var status = "processed"
    let createdAt: Int64

    var json: JSONValue {
        .object([
            "id": .string(id), "entity": "refund", "amount": .int(amount), "currency": .string(currency),
            "payment_id": .string(paymentID), "notes": notes.razorpayNotes,
            "receipt": receipt.map(JSONValue.string) ?? .null,
            "acquirer_data": .object(["arn": .null]), "created_at": .int(createdAt), "batch_id": .null,
            "status": .string(status),
            "speed_processed": "normal", "speed_requested": "normal",
        ])
    }
}
