import Shared

/// The forms an account is kept and shown in.
extension SandboxAccount {
    /// Everything, secrets included: what the sandbox persists (a development-only database).
    var storedConfiguration: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "provider": .string(provider.rawValue),
            "credential": .string(credential),
        ]
        func put(_ name: String, _ value: String?) { if let value { members[name] = .string(value) } }
        put("secret", secret)
        put("webhook_url", webhookURL)
        put("webhook_secret", webhookSecret)
        put("webhook_id", webhookID)
        put("subscription_key", subscriptionKey)
        put("target_environment", targetEnvironment)
        put("currency", walletCurrency)
        put("account_number", accountNumber)
        return .object(members)
    }

    init?(stored: JSONValue) {
        guard let id = stored["id"]?.stringValue, let providerName = stored["provider"]?.stringValue,
            let provider = SandboxProvider(rawValue: providerName), let credential = stored["credential"]?.stringValue
        else { return nil }
        self.init(
            id: id, provider: provider, credential: credential, secret: stored["secret"]?.stringValue,
            webhookURL: stored["webhook_url"]?.stringValue, webhookSecret: stored["webhook_secret"]?.stringValue,
            webhookID: stored["webhook_id"]?.stringValue, subscriptionKey: stored["subscription_key"]?.stringValue,
            targetEnvironment: stored["target_environment"]?.stringValue,
            walletCurrency: stored["currency"]?.stringValue, accountNumber: stored["account_number"]?.stringValue)
    }

    /// The account as `GET /_sandbox/accounts` shows it: secrets masked.
    var publicJSON: JSONValue {
        var members: [String: JSONValue] = ["id": .string(id), "provider": .string(provider.rawValue)]
        let maskedSecret = secret.map { JSONValue.string(Self.mask($0)) } ?? .null
        switch provider {
        case .stripe:
            members["secret_key"] = .string(Self.mask(credential))
        case .razorpay:
            members["key_id"] = .string(credential)
            members["key_secret"] = maskedSecret
            members["account_number"] = accountNumber.map(JSONValue.string) ?? .null
        case .paypal:
            members["client_id"] = .string(credential)
            members["client_secret"] = maskedSecret
            members["webhook_id"] = webhookID.map(JSONValue.string) ?? .null
        case .mtn:
            members["api_user"] = .string(credential)
            members["api_key"] = maskedSecret
            members["subscription_key"] = subscriptionKey.map { .string(Self.mask($0)) } ?? .null
            members["target_environment"] = targetEnvironment.map(JSONValue.string) ?? .null
            members["currency"] = walletCurrency.map(JSONValue.string) ?? .null
        }
        members["webhook_url"] = webhookURL.map(JSONValue.string) ?? .null
        if provider == .stripe || provider == .razorpay {
            members["webhook_secret"] = webhookSecret.map { .string(Self.mask($0)) } ?? .null
        }
        return .object(members)
    }
}
