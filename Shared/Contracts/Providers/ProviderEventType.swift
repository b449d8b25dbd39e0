import Shared

/// What a provider reported, normalized (DESIGN.md: `provider.<type>`, source `ingress`).
public enum ProviderEventType: String, Sendable, CaseIterable, Codable {
    case paymentAuthorized = "provider.payment.authorized"
    case paymentCaptured = "provider.payment.captured"
    case paymentFailed = "provider.payment.failed"
    case refundSucceeded = "provider.refund.succeeded"
    case refundFailed = "provider.refund.failed"
    case payoutProcessed = "provider.payout.processed"
    case payoutFailed = "provider.payout.failed"
    case payoutReversed = "provider.payout.reversed"
    case disputeOpened = "provider.dispute.opened"

    /// The kind of object the event is about: `payment`, `refund`, `payout` or `dispute`.
    public var objectType: String {
        switch self {
        case .paymentAuthorized, .paymentCaptured, .paymentFailed: "payment"
        case .refundSucceeded, .refundFailed: "refund"
        case .payoutProcessed, .payoutFailed, .payoutReversed: "payout"
        case .disputeOpened: "dispute"
        }
    }
}

/// The providers Coffer speaks to.
public enum ProviderName: String, Sendable, CaseIterable, Codable {
    case stripe, razorpay, paypal, phonepe, ikhokha, mtn, airtel, zamtel, paystack, flutterwave
    /// Standard Webhooks: generic signed inbound events.
    case standard

    /// Providers whose callbacks prove nothing about the body: accepted only with the connector's
    /// callback credential or secret path, and confirmed through the provider's status API before
    /// anything acts on them. (PhonePe's v2 callbacks too; its v1 X-VERIFY signs the body.)
    public var callbacksNeedConfirmation: Bool {
        switch self {
        case .mtn, .airtel, .zamtel, .ikhokha, .flutterwave: true
        default: false
        }
    }
}
