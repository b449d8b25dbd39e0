import Contracts
import HTTP
import Shared

/// The payout adapters Coffer has, by provider. Make them once per process: they share the HTTP
/// client, and the PayPal, MTN and Airtel adapters each hold the access-token cache all their calls
/// should use.
///
/// Zamtel's adapter is a best-effort shape (no public API reference; see `ZamtelDisbursementAdapter`).
/// PhonePe has none: no public PhonePe payouts API could be found, and none is invented.
enum PayoutProviderAdapters {
    static func make(httpClient: any HTTPClient) -> [ProviderName: any PayoutProviderAdapter] {
        [
            .razorpay: RazorpayXPayoutAdapter(httpClient: httpClient),
            .stripe: StripeTransferAdapter(httpClient: httpClient),
            .paypal: PayPalPayoutsAdapter(httpClient: httpClient),
            .mtn: MTNDisbursementAdapter(httpClient: httpClient),
            .airtel: AirtelDisbursementAdapter(httpClient: httpClient),
            .zamtel: ZamtelDisbursementAdapter(httpClient: httpClient),
        ]
    }
}
