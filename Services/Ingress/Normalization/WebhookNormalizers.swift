import Contracts
import Shared

/// Which normalizer reads each provider's webhooks. Every `ProviderName` has one (the switch is
/// exhaustive), and each is a stateless value, so callers may ask per request.
enum WebhookNormalizers {
    static func normalizer(for provider: ProviderName) -> any WebhookNormalizer {
        switch provider {
        case .stripe: StripeNormalizer()
        case .razorpay: RazorpayNormalizer()
        case .paypal: PayPalNormalizer()
        case .phonepe: PhonePeNormalizer()
        case .ikhokha: IKhokhaNormalizer()
        case .mtn: MTNNormalizer()
        case .airtel: AirtelNormalizer()
        case .zamtel: ZamtelNormalizer()
        case .paystack: PaystackNormalizer()
        case .flutterwave: FlutterwaveNormalizer()
        case .standard: StandardWebhooksNormalizer()
        }
    }
}
