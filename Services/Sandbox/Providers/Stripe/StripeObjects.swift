import Shared

/// Why the last charge attempt of a PaymentIntent failed (`last_payment_error`).
struct StripePaymentError: Sendable {
    var type = "card_error"
    var code: String
    var declineCode: String?
    var message: String
    var chargeID: String?
    var paymentMethod: String?

    var json: JSONValue {
        var members: [String: JSONValue] = ["type": .string(type), "code": .string(code), "message": .string(message)]
        if let declineCode { members["decline_code"] = .string(declineCode) }
        if let chargeID { members["charge"] = .string(chargeID) }
        if let paymentMethod {
            members["payment_method"] = .object([
                "id": .string(paymentMethod), "object": "payment_method", "type": "card",
            ])
        }
        return .object(members)
    }
}

/// A Stripe PaymentIntent as the sandbox keeps it.
struct StripePaymentIntent: Sendable {
    let id: String
    let accountID: String
    let clientSecret: String
    let amount: Int64
    /// Lower-case, as Stripe writes currencies.
    let currency: String
    /// `automatic`, `automatic_async` or `manual`.
    let captureMethod: String
    var status: String
    var amountCapturable: Int64 = 0
    var amountReceived: Int64 = 0
    var metadata: [String: String]
    var description: String?
    var receiptEmail: String?
    var returnURL: String?
    var paymentMethod: String?
    var latestCharge: String?
    var lastPaymentError: StripePaymentError?
    var canceledAt: Int64?
    var cancellationReason: String?
    let created: Int64

    var capturesAutomatically: Bool { captureMethod != "manual" }

    func json(publicURL: String) -> JSONValue {
        var nextAction = JSONValue.null
        if status == "requires_action" {
            nextAction = .object([
                "type": "redirect_to_url",
                "redirect_to_url": .object([
                    "url": .string(publicURL + "/stripe/authenticate/" + id),
                    "return_url": returnURL.map(JSONValue.string) ?? .null,
                ]),
            ])
        }
        return .object([
            "id": .string(id), "object": "payment_intent", "amount": .int(amount),
            "amount_capturable": .int(amountCapturable), "amount_received": .int(amountReceived),
            "canceled_at": canceledAt.map(JSONValue.int) ?? .null,
            "cancellation_reason": cancellationReason.map(JSONValue.string) ?? .null,
            "capture_method": .string(captureMethod), "client_secret": .string(clientSecret),
            "confirmation_method": "automatic", "created": .int(created), "currency": .string(currency),
            "customer": .null, "description": description.map(JSONValue.string) ?? .null,
            "last_payment_error": lastPaymentError?.json ?? .null,
            "latest_charge": latestCharge.map(JSONValue.string) ?? .null, "livemode": false,
            "metadata": .object(metadata.mapValues(JSONValue.string)), "next_action": nextAction,
            "payment_method": paymentMethod.map(JSONValue.string) ?? .null, "payment_method_types": ["card"],
            "receipt_email": receiptEmail.map(JSONValue.string) ?? .null, "status": .string(status),
        ])
    }
}

/// A charge: one attempt to move the money of a PaymentIntent.
struct StripeCharge: Sendable {
    let id: String
    let paymentIntent: String
    let amount: Int64
    let currency: String
    var amountCaptured: Int64 = 0
    var amountRefunded: Int64 = 0
    var captured = false
    /// `succeeded` or `failed`.
    var status: String
    var failureCode: String?
    var failureMessage: String?
    var metadata: [String: String]
    var paymentMethod: String?
    var description: String?
    var receiptEmail: String?
    let created: Int64

    var json: JSONValue {
        let succeeded = status == "succeeded"
        return .object([
            "id": .string(id), "object": "charge", "amount": .int(amount), "amount_captured": .int(amountCaptured),
            "amount_refunded": .int(amountRefunded), "balance_transaction": .null, "captured": .bool(captured),
            "created": .int(created), "currency": .string(currency),
            "description": description.map(JSONValue.string) ?? .null,
            "failure_code": failureCode.map(JSONValue.string) ?? .null,
            "failure_message": failureMessage.map(JSONValue.string) ?? .null, "livemode": false,
            "metadata": .object(metadata.mapValues(JSONValue.string)),
            "outcome": .object([
                "network_status": succeeded ? "approved_by_network" : "declined_by_network",
                "risk_level": "normal", "type": succeeded ? "authorized" : "issuer_declined",
                "seller_message": succeeded
                    ? "Payment complete." : "The bank did not return any further details with this decline.",
            ]),
            "paid": .bool(succeeded), "payment_intent": .string(paymentIntent),
            "payment_method": paymentMethod.map(JSONValue.string) ?? .null,
            "receipt_email": receiptEmail.map(JSONValue.string) ?? .null,
            "refunded": .bool(captured && amountRefunded >= amountCaptured && amountCaptured > 0),
            "status": .string(status),
        ])
    }
}

/// A refund of (part of) a captured charge.
struct StripeRefund: Sendable {
    let id: String
    let accountID: String
    let amount: Int64
    let currency: String
    let paymentIntent: String
    let charge: String
    var status: String
    let reason: String?
    var metadata: [String: String]
    let created: Int64

    var json: JSONValue {
        .object([
            "id": .string(id), "object": "refund", "amount": .int(amount), "balance_transaction": .null,
            "charge": .string(charge), "created": .int(created), "currency": .string(currency),
            "metadata": .object(metadata.mapValues(JSONValue.string)), "payment_intent": .string(paymentIntent),
            "reason": reason.map(JSONValue.string) ?? .null, "receipt_number": .null, "status": .string(status),
        ])
    }
}
