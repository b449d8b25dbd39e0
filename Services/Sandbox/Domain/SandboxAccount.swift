import HTTP
import Shared

/// A provider account registered with the sandbox, as a provider dashboard would configure it: the
/// credentials API calls must present and where (and how) webhooks are sent. Registration bodies are
/// read in `SandboxAccount+Registration.swift`; stored and listed forms in `SandboxAccount+JSON.swift`.
struct SandboxAccount: Sendable, Equatable {
    /// The sandbox's own id for the account (`acct_…`), stable across re-registrations.
    let id: String
    let provider: SandboxProvider
    /// What identifies the caller: Stripe's secret key, Razorpay's key id, PayPal's client id, MTN's API user.
    let credential: String
    /// Razorpay's key secret, PayPal's client secret or MTN's API key; Stripe's key is its own secret.
    let secret: String?
    let webhookURL: String?
    /// Stripe `whsec_…` or Razorpay webhook secret: the HMAC key webhooks are signed with.
    let webhookSecret: String?
    /// PayPal's webhook id (`WH-…`), part of the signed message.
    let webhookID: String?
    /// MTN's `Ocp-Apim-Subscription-Key`: the product subscription every MTN call presents besides the user.
    var subscriptionKey: String? = nil
    /// MTN's `X-Target-Environment` calls must name (`sandbox` unless registered otherwise).
    var targetEnvironment: String? = nil
    /// MTN's wallet currency: a MoMo account holds one (EUR, as in MTN's own sandbox, unless registered otherwise).
    var walletCurrency: String? = nil
    /// RazorpayX's business account number payouts are made from; nil accepts any (and tracks each one's balance).
    var accountNumber: String? = nil

    static func newID(for provider: SandboxProvider) -> String {
        switch provider {
        case .stripe:
            "acct_"
                + ProviderIDs.random(
                    16, from: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8))
        case .razorpay: ProviderIDs.razorpay("acc")
        case .paypal, .mtn:
            "acct_" + ProviderIDs.random(13, from: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        }
    }

    /// `sk_test_…Wxyz`: enough to recognise a key, never enough to use it.
    static func mask(_ secret: String) -> String {
        let characters = Array(secret)
        guard characters.count > 12 else { return "…" + String(characters.suffix(2)) }
        let prefixEnd = characters.prefix(8).lastIndex(of: "_").map { $0 + 1 } ?? 0
        return String(characters.prefix(prefixEnd)) + "…" + String(characters.suffix(4))
    }
}
