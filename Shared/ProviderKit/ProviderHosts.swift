import Shared

/// Each provider's official API host per mode: where a connector's calls go when it names no
/// `api_base_url` (and the only place a live connector may point, so none can aim at internal hosts).
public enum ProviderHosts {
    public static func official(_ provider: ProviderName, livemode: Bool) -> String {
        let hosts = hosts(provider)
        return livemode ? hosts.live : hosts.test
    }

    public static func hosts(_ provider: ProviderName) -> (live: String, test: String) {
        switch provider {
        case .stripe: ("https://api.stripe.com", "https://api.stripe.com")
        case .razorpay: ("https://api.razorpay.com", "https://api.razorpay.com")
        case .paypal: ("https://api-m.paypal.com", "https://api-m.sandbox.paypal.com")
        case .phonepe: ("https://api.phonepe.com/apis/pg", "https://api-preprod.phonepe.com/apis/pg-sandbox")
        case .paystack: ("https://api.paystack.co", "https://api.paystack.co")
        case .flutterwave: ("https://api.flutterwave.com", "https://api.flutterwave.com")
        case .standard: ("", "")
        case .mtn: ("https://proxy.momoapi.mtn.com", "https://sandbox.momodeveloper.mtn.com")
        case .airtel: ("https://openapi.airtel.africa", "https://openapiuat.airtel.africa")
        case .zamtel: ("https://api.zamtel.co.zm", "https://api.zamtel.co.zm")
        case .ikhokha: ("https://api.ikhokha.com", "https://api.ikhokha.com")
        }
    }
}
