import HTTP
import Shared

extension SandboxAccount {
    /// Reads a registration body (`POST /_sandbox/accounts`). `existingID` keeps the id of the account
    /// this one replaces.
    init(registration body: JSONValue, existingID: (SandboxProvider, String) -> String?) throws(DomainError) {
        guard let providerName = body["provider"]?.stringValue else {
            throw .invalid("`provider` is required (stripe, razorpay, paypal or mtn).", param: "provider")
        }
        guard let provider = SandboxProvider(name: providerName) else {
            throw .invalid(
                "Unknown provider \"\(providerName)\"; the sandbox simulates stripe, razorpay, paypal and mtn.",
                param: "provider")
        }
        func field(_ name: String, required: Bool) throws(DomainError) -> String? {
            guard let value = body[name], !value.isNull else {
                if required { throw .invalid("`\(name)` is required for \(provider.rawValue).", param: name) }
                return nil
            }
            guard let text = value.stringValue, !text.isEmpty, text.utf8.count <= 512 else {
                throw .invalid("`\(name)` must be a non-empty string.", param: name)
            }
            return text
        }
        let credential: String
        let secret: String?
        switch provider {
        case .stripe:
            credential = try field("secret_key", required: true) ?? ""
            guard credential.hasPrefix("sk_") || credential.hasPrefix("rk_") else {
                throw .invalid("`secret_key` must look like a Stripe secret key (sk_test_…).", param: "secret_key")
            }
            secret = nil
        case .razorpay:
            credential = try field("key_id", required: true) ?? ""
            secret = try field("key_secret", required: true)
        case .paypal:
            credential = try field("client_id", required: true) ?? ""
            secret = try field("client_secret", required: true)
        case .mtn:
            credential = try field("api_user", required: true) ?? ""
            secret = try field("api_key", required: true)
        }
        let webhookURL = try field("webhook_url", required: false)
        if let webhookURL {
            let lower = webhookURL.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw .invalid("`webhook_url` must be an http(s) URL.", param: "webhook_url")
            }
        }
        // MTN signs nothing (its callbacks go to a secret URL); PayPal signs with its certificate.
        let signsWithSecret = provider == .stripe || provider == .razorpay
        self.init(
            id: existingID(provider, credential) ?? Self.newID(for: provider), provider: provider,
            credential: credential, secret: secret, webhookURL: webhookURL,
            webhookSecret: signsWithSecret ? try field("webhook_secret", required: webhookURL != nil) : nil,
            webhookID: provider == .paypal ? try field("webhook_id", required: webhookURL != nil) : nil)
        switch provider {
        case .mtn:
            subscriptionKey = try field("subscription_key", required: true)
            targetEnvironment = try field("target_environment", required: false) ?? "sandbox"
            let currency = try field("currency", required: false) ?? "EUR"
            guard let known = Currency(code: currency), known.code == currency else {
                throw .invalid("`currency` must be an upper-case ISO 4217 code.", param: "currency")
            }
            walletCurrency = known.code
        case .razorpay:
            accountNumber = try field("account_number", required: false)
        case .stripe, .paypal:
            break
        }
    }
}
