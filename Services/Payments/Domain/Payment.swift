import Contracts
import Foundation
import Shared

/// A payment's lifecycle. Transitions not listed are refused (409 `invalid_state`); provider news
/// that would move a payment backwards (a late `failed` after `captured`) is ignored and logged
/// (`PaymentTransition`).
enum PaymentStatus: String, Sendable, CaseIterable {
    case requiresAction = "requires_action"
    case processing
    case authorized
    /// A capture call is in flight (a second capture is refused meanwhile).
    case capturing
    case captured
    case partiallyRefunded = "partially_refunded"
    case refunded
    case failed
    case canceled

    /// Money was taken: refunds and disputes apply.
    var isCaptured: Bool { self == .captured || self == .partiallyRefunded || self == .refunded }
    var isTerminal: Bool { isCaptured || self == .failed || self == .canceled }
    var canCapture: Bool { self == .authorized }
    var canCancel: Bool { self == .requiresAction || self == .processing || self == .authorized }
    /// A provider saying "failed" or "authorized" may move it from here.
    var awaitsOutcome: Bool {
        self == .requiresAction || self == .processing || self == .authorized || self == .capturing
    }
}

/// A payment as stored, and its public JSON (Stripe-shaped: `object: "payment"`, minor units,
/// uppercase currency).
struct Payment: Sendable {
    let id: String
    let tenantID: String
    let livemode: Bool
    let amount: Int64
    let currency: Currency
    var amountCapturable: Int64
    var amountCaptured: Int64
    var amountRefunded: Int64
    /// Held by refunds that are pending or awaiting approval (so concurrent refunds cannot overshoot).
    var amountRefundReserved: Int64
    var status: PaymentStatus
    let captureMethod: CaptureMethod
    var provider: String?
    var connectorID: String?
    var providerPaymentID: String?
    let customer: JSONValue?
    let payeeID: String?
    let description: String?
    let metadata: JSONValue
    var nextAction: JSONValue?
    var failureCode: String?
    var failureMessage: String?
    let createdBy: String
    let createdAt: Date
    var updatedAt: Date
    var capturedAt: Date?
    var fulfillment: String?
    let paymentMethod: String?
    let returnURL: String?
    /// The fee split fixed at capture (nil before).
    var split: CapturedSplit?
    /// The amount of a partial capture in flight (nil for a full capture).
    var captureRequested: Int64?
    /// Set while an automatic-capture payment waits for the capture worker.
    var autoCaptureAt: Date?

    struct CapturedSplit: Sendable, Equatable {
        let platformFee: Int64
        let providerFee: Int64
        let referralBounty: Int64
        let recruiterPayeeID: String?
        let payeeNet: Int64
        /// How much of `payeeNet` refunds and disputes have taken back so far.
        var payeeRefunded: Int64
    }

    var money: Money { Money(minorUnits: amount, currency: currency) }
    /// What a new refund may still take: captured, less refunded and reserved by pending refunds.
    var refundable: Int64 { amountCaptured - amountRefunded - amountRefundReserved }

    var json: JSONValue {
        [
            "id": .string(id), "object": "payment", "livemode": .bool(livemode), "amount": .int(amount),
            "currency": .string(currency.code),
            "amount_capturable": .int(amountCapturable), "amount_received": .int(amountCaptured),
            "amount_refunded": .int(amountRefunded),
            "amount_refundable": .int(refundable),
            "status": .string(status.rawValue), "capture_method": .string(captureMethod.rawValue),
            "provider": provider.map(JSONValue.string) ?? .null,
            "connector_id": connectorID.map(JSONValue.string) ?? .null,
            "provider_payment_id": providerPaymentID.map(JSONValue.string) ?? .null, "customer": customer ?? .null,
            "payee_id": payeeID.map(JSONValue.string) ?? .null,
            "description": description.map(JSONValue.string) ?? .null,
            "metadata": metadata, "next_action": nextAction ?? .null,
            "failure_code": failureCode.map(JSONValue.string) ?? .null,
            "failure_message": failureMessage.map(JSONValue.string) ?? .null,
            "fulfillment": fulfillment.map { ["status": .string($0)] } ?? .null,
            "created": .string(Timestamp.rfc3339(createdAt)), "updated": .string(Timestamp.rfc3339(updatedAt)),
            "captured_at": capturedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "payment_method": paymentMethod.map(JSONValue.string) ?? .null,
            "return_url": returnURL.map(JSONValue.string) ?? .null,
            "fees": split.map { split -> JSONValue in
                [
                    "platform_fee": .int(split.platformFee), "provider_fee": .int(split.providerFee),
                    "referral_bounty": .int(split.referralBounty), "payee_net": .int(split.payeeNet),
                ]
            } ?? .null,
        ]
    }
}

/// What a capture needs from the tenant: its fee schedule, and the payee's recruiter (the marketplace
/// case). Read with the payment's lock when the caller can.
struct CaptureTerms: Sendable {
    let fees: TenantSettings.FeeSchedule
    let recruiterPayeeID: String?
}
