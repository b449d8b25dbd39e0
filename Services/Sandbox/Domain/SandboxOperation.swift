import Foundation
import Shared

/// What a provider-side operation did. Only executions are recorded, never idempotent replays.
enum OperationKind: String, Sendable, CaseIterable {
    /// A payment object was created (Stripe PaymentIntent, Razorpay order, PayPal order).
    case createPayment = "create_payment"
    /// A merchant confirmed a Stripe PaymentIntent after creating it.
    case confirm
    /// The customer finished what the provider asked of them (3-D Secure, Checkout, approval).
    case customerAction = "customer_action"
    /// Money was reserved by a merchant call (PayPal order authorization) or by the customer (Razorpay).
    case authorize
    case capture
    /// A payment or authorization was canceled or voided.
    case cancel
    case refund
    /// Money was sent out: a RazorpayX payout, a Stripe transfer or an MTN MoMo disbursement transfer was
    /// accepted for execution (whatever its outcome later).
    case payout
    /// The payee's bank (or network) failed a payout: it moved no money, so its Coffer id may be paid again.
    case payoutFailed = "payout_failed"
    /// Money sent out came back (a RazorpayX reversal, a Stripe transfer reversal).
    case payoutReversal = "payout_reversal"

    /// Kinds a merchant's retry must never repeat for the same Coffer id: a second one means money was
    /// (or could have been) moved twice. Confirmations and customer actions may legitimately repeat
    /// after a decline.
    var mustNotRepeat: Bool {
        switch self {
        case .createPayment, .authorize, .capture, .cancel, .refund, .payout: true
        // Partial reversals of one payout may follow each other; failures only ever make things safer.
        case .confirm, .customerAction, .payoutFailed, .payoutReversal: false
        }
    }
}

/// One executed provider operation, as `GET /_sandbox/operations` lists it.
struct SandboxOperation: Sendable, Equatable {
    /// Increasing across the process (and continued after a restart from the stored maximum).
    let sequence: Int64
    let provider: SandboxProvider
    let kind: String
    let accountID: String
    let objectID: String
    /// The payment a refund or capture belongs to, the order a Razorpay payment paid, the payout a
    /// reversal or failure is about.
    let relatedObjectID: String?
    let idempotencyKey: String?
    /// Coffer's own id as the merchant sent it (`metadata.coffer_payment_id`, `receipt`, `custom_id`,
    /// a payout's `reference_id` or `externalId`…).
    let cofferID: String?
    let amount: Int64?
    /// Upper-case ISO 4217, whatever case the provider's API uses.
    let currency: String?
    let atMilliseconds: Int64

    var json: JSONValue {
        .object([
            "sequence": .int(sequence), "provider": .string(provider.rawValue), "kind": .string(kind),
            "account_id": .string(accountID), "object_id": .string(objectID),
            "related_object_id": relatedObjectID.map(JSONValue.string) ?? .null,
            "idempotency_key": idempotencyKey.map(JSONValue.string) ?? .null,
            "coffer_id": cofferID.map(JSONValue.string) ?? .null,
            "amount": amount.map(JSONValue.int) ?? .null, "currency": currency.map(JSONValue.string) ?? .null,
            "at": .string(Timestamp.format(unixMilliseconds: atMilliseconds, fractional: true)),
        ])
    }
}

/// An operation before the log numbers and timestamps it.
struct OperationDraft: Sendable {
    var provider: SandboxProvider
    var kind: OperationKind
    var accountID: String
    var objectID: String
    var relatedObjectID: String? = nil
    var idempotencyKey: String? = nil
    var cofferID: String? = nil
    var amount: Int64? = nil
    var currency: String? = nil
}
