import Contracts
import ProviderKit
import Shared

/// What each provider's connector holds. Unknown fields are refused (400, naming them), so a typo
/// never silently leaves a secret unset.
enum ConnectorRules {
    struct Rules: Sendable {
        /// `credentials.<name>` the provider's API needs (required ones first).
        let credentials: [String]
        let requiredCredentials: Set<String>
        /// Secret top-level fields this provider's webhooks use.
        let secretFields: Set<String>
        /// Fields needed to verify its webhooks.
        let requiredForWebhooks: Set<String>
        let publicFields: Set<String>
        /// The production API host for each mode (live, test).
        let officialBaseURL: (live: String, test: String)
    }

    static let secretFieldNames: Set<String> = [
        "webhook_secret", "previous_webhook_secret", "callback_username", "callback_password", "salt_key",
        "callback_token",
    ]

    static func rules(_ provider: ProviderName) -> Rules {
        switch provider {
        case .stripe:
            Rules(
                credentials: ["secret_key"], requiredCredentials: ["secret_key"],
                secretFields: ["webhook_secret", "previous_webhook_secret"],
                requiredForWebhooks: ["webhook_secret"], publicFields: [],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .razorpay:
            Rules(
                credentials: ["key_id", "key_secret", "account_number"], requiredCredentials: ["key_id", "key_secret"],
                secretFields: ["webhook_secret", "previous_webhook_secret"], requiredForWebhooks: ["webhook_secret"],
                publicFields: [],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .paypal:
            Rules(
                credentials: ["client_id", "client_secret"], requiredCredentials: ["client_id", "client_secret"],
                secretFields: [],
                requiredForWebhooks: ["webhook_id"], publicFields: ["webhook_id", "certificates"],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .phonepe:
            Rules(
                credentials: ["client_id", "client_secret", "client_version", "merchant_id"], requiredCredentials: [],
                secretFields: ["callback_username", "callback_password", "salt_key"], requiredForWebhooks: [],
                publicFields: ["salt_index"],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .paystack:
            Rules(
                credentials: ["secret_key"], requiredCredentials: ["secret_key"], secretFields: [],
                requiredForWebhooks: [], publicFields: [],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .flutterwave:
            Rules(
                credentials: ["secret_key"], requiredCredentials: ["secret_key"], secretFields: ["webhook_secret"],
                requiredForWebhooks: ["webhook_secret"], publicFields: [],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .standard:
            Rules(
                credentials: [], requiredCredentials: [], secretFields: ["webhook_secret", "previous_webhook_secret"],
                requiredForWebhooks: ["webhook_secret"], publicFields: [],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .mtn:
            Rules(
                credentials: ["subscription_key", "api_user", "api_key", "target_environment"], requiredCredentials: [],
                secretFields: ["callback_token"], requiredForWebhooks: [], publicFields: [],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .airtel:
            Rules(
                credentials: ["client_id", "client_secret", "country", "currency"], requiredCredentials: [],
                secretFields: ["callback_token"], requiredForWebhooks: [], publicFields: [],
                officialBaseURL: ProviderHosts.hosts(provider))
        case .zamtel:
            Rules(
                credentials: ["api_key", "shortcode"], requiredCredentials: [], secretFields: ["callback_token"],
                requiredForWebhooks: [],
                publicFields: [], officialBaseURL: ProviderHosts.hosts(provider))
        case .ikhokha:
            Rules(
                credentials: ["application_id", "application_secret"], requiredCredentials: [],
                secretFields: ["callback_token", "webhook_secret"], requiredForWebhooks: [], publicFields: [],
                officialBaseURL: ProviderHosts.hosts(provider))
        }
    }

    /// Providers whose callbacks arrive on a secret path: a callback token is generated when none is given.
    static func needsCallbackToken(_ provider: ProviderName) -> Bool {
        [.mtn, .airtel, .zamtel, .ikhokha].contains(provider)
    }
}
