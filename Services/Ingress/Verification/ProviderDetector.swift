import Contracts
import HTTP
import Shared

/// For the gateway-agnostic `POST /webhooks/payments?tenant=…`: which provider sent this, from the
/// headers its scheme always carries. Nil when no scheme matches.
enum ProviderDetector {
    static func detect(_ headers: HTTPHeaders) -> ProviderName? {
        if headers.contains("Stripe-Signature") { return .stripe }
        if headers.contains("X-Razorpay-Signature") { return .razorpay }
        if headers.contains("PAYPAL-TRANSMISSION-SIG") { return .paypal }
        if headers.contains("x-paystack-signature") { return .paystack }
        if headers.contains("webhook-signature"), headers.contains("webhook-id") { return .standard }
        if headers.contains("X-VERIFY") { return .phonepe }
        if headers.contains("verif-hash") { return .flutterwave }
        return nil
    }
}

/// The verifier for each provider.
struct WebhookVerifiers: Sendable {
    let stripe: StripeVerifier
    let standard: StandardWebhooksVerifier
    let paypal: PayPalVerifier

    init(tolerance: TimestampTolerance, certificates: PayPalCertificateStore) {
        stripe = StripeVerifier(tolerance: tolerance)
        standard = StandardWebhooksVerifier(tolerance: tolerance)
        paypal = PayPalVerifier(tolerance: tolerance, certificates: certificates)
    }

    func verifier(for provider: ProviderName) -> any WebhookVerifier {
        switch provider {
        case .stripe: stripe
        case .razorpay: HMACBodyVerifier.razorpay
        case .paypal: paypal
        case .phonepe: PhonePeVerifier()
        case .paystack: HMACBodyVerifier.paystack
        case .standard: standard
        case .mtn, .airtel, .zamtel, .ikhokha, .flutterwave: CallbackTokenVerifier()
        }
    }
}
