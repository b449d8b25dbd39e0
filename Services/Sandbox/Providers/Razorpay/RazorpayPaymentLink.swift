import Shared

/// A Razorpay payment link: a hosted page (`short_url`) the customer pays on. Razorpay backs each
/// link with an order, captured automatically.
struct RazorpayPaymentLink: Sendable {
    let id: String
    let accountID: String
    let orderID: String
    let amount: Int64
    let currency: String
    let referenceID: String?
    let description: String?
    let notes: [String: String]
    let customer: JSONValue
    let callbackURL: String?
    let callbackMethod: String?
    let shortURL: String
    /// `created`, `paid` or `cancelled`.
    var status = "created"
    var amountPaid: Int64 = 0
    var payments: [JSONValue] = []
    let createdAt: Int64
    var updatedAt: Int64
    var cancelledAt: Int64 = 0

    /// Coffer's id as the merchant wrote it: `notes.coffer_payment_id`, else the reference id.
    var cofferID: String? { notes["coffer_payment_id"] ?? referenceID }

    mutating func markPaid(by payment: RazorpayPayment) {
        status = "paid"
        amountPaid = payment.amount
        updatedAt = payment.createdAt
        payments.append(
            .object([
                "amount": .int(payment.amount), "created_at": .int(payment.createdAt), "method": "card",
                "payment_id": .string(payment.id), "plink_id": .string(id), "status": .string(payment.status),
                "updated_at": .int(payment.createdAt),
            ]))
    }

    var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(id), "entity": "payment_link", "amount": .int(amount), "amount_paid": .int(amountPaid),
            "currency": .string(currency), "accept_partial": false, "first_min_partial_amount": 0,
            "description": text(description), "reference_id": text(referenceID), "customer": customer,
            "notify": .object(["sms": false, "email": false]), "reminder_enable": false, "reminders": [],
            "notes": notes.razorpayNotes, "callback_url": text(callbackURL), "callback_method": text(callbackMethod),
            "short_url": .string(shortURL), "status": .string(status), "order_id": .string(orderID),
            "payments": payments.isEmpty ? .null : .array(payments), "upi_link": false, "user_id": "",
            "expire_by": 0, "expired_at": 0, "cancelled_at": .int(cancelledAt), "created_at": .int(createdAt),
            "updated_at": .int(updatedAt),
        ])
    }
}
