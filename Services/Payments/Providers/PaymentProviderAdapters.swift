import Contracts
import HTTP
import Shared

/// The adapters Coffer has, by provider. Make them once per process: they share the HTTP client, and
/// PayPal's adapter holds the access-token cache every PayPal call should use.
enum PaymentProviderAdapters {
    /// `razorpayCheckoutURLTemplate`: where Razorpay customers are sent to pay (see `RazorpayCheckoutURL`);
    /// the default is the sandbox's checkout page.
    static func make(
        httpClient: any HTTPClient, razorpayCheckoutURLTemplate: String = RazorpayCheckoutURL.sandboxTemplate
    ) -> [ProviderName: any PaymentProviderAdapter] {
        [
            .stripe: StripeAdapter(httpClient: httpClient),
            .razorpay: RazorpayAdapter(httpClient: httpClient, checkoutURLTemplate: razorpayCheckoutURLTemplate),
            .paypal: PayPalAdapter(httpClient: httpClient),
        ]
    }
}
