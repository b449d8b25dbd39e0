import HTTP
import Shared

/// A provider account registered with the sandbox, as a provider dashboard would configure it: the
/// credentials API calls must present and where (and how) webhooks are sent.
struct SandboxAccount: Sendable, Equatable {
    /// The sandbox's own id for the account (`acct_…`), stable across re-registrations.
    let id: String
    let provider: SandboxProvider
    /// What identifies the caller: Stripe's secret key, Razorpay's key id, PayPal's client id.
    let credential: String
    /// Razorpay's key secret or PayPal's client secret; Stripe's key is its own secret.
    let secret: String?
    let webhookURL: String?
    /// Stripe `whsec_…` or Razorpay webhook secret: the HMAC key webhooks are signed with.
    let webhookSecret: String?
    /// PayPal's webhook id (`WH-…`), part of the signed message.
    let webhookID: String?

    /// Reads a registration body (`POST /_sandbox/accounts`). `existingID` keeps the id of the account
    /// this one replaces.
    init(registration body: JSONValue, existingID: (SandboxProvider, String) -> String?) throws(HTTPError) {
        guard let providerName = body["provider"]?.stringValue else {
            throw .badRequest("`provider` is required (stripe, razorpay or paypal).", param: "provider")
        }
        guard let provider = SandboxProvider(name: providerName) else {
            throw .badRequest(
                "Unknown provider \"\(providerName)\"; the sandbox simulates stripe, razorpay and paypal.",
                param: "provider")
        }
        func field(_ name: String, required: Bool) throws(HTTPError) -> String? {
            guard let value = body[name], !value.isNull else {
                if required { throw .badRequest("`\(name)` is required for \(provider.rawValue).", param: name) }
                return nil
            }
            guard let text = value.stringValue, !text.isEmpty, text.utf8.count <= 512 else {
                throw .badRequest("`\(name)` must be a non-empty string.", param: name)
            }
            return text
        }
        let credential: String
        let secret: String?
        switch provider {
        case .stripe:
            credential = try field("secret_key", required: true) ?? ""
            guard credential.hasPrefix("sk_") || credential.hasPrefix("rk_") else {
                throw .badRequest("`secret_key` must look like a Stripe secret key (sk_test_…).", param: "secret_key")
            }
            secret = nil
        case .razorpay:
            credential = try field("key_id", required: true) ?? ""
            secret = try field("key_secret", required: true)
        case .paypal:
            credential = try field("client_id", required: true) ?? ""
            secret = try field("client_secret", required: true)
        }
        let webhookURL = try field("webhook_url", required: false)
        if let webhookURL {
            let lower = webhookURL.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw .badRequest("`webhook_url` must be an http(s) URL.", param: "webhook_url")
            }
        }
        let webhookSecret = provider == .paypal ? nil : try field("webhook_secret", required: webhookURL != nil)
        let webhookID = provider == .paypal ? try field("webhook_id", required: webhookURL != nil) : nil
        self.id = existingID(provider, credential) ?? Self.newID(for: provider)
        self.provider = provider
        self.credential = credential
        self.secret = secret
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.webhookID = webhookID
    }

    init(
        id: String, provider: SandboxProvider, credential: String, secret: String?, webhookURL: String?,
        webhookSecret: String?, webhookID: String?
    ) {
        self.id = id
        self.provider = provider
        self.credential = credential
        self.secret = secret
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.webhookID = webhookID
    }

    static func newID(for provider: SandboxProvider) -> String {
        switch provider {
        case .stripe:
            "acct_"
                + ProviderIDs.random(
                    16, from: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8))
        case .razorpay: ProviderIDs.razorpay("acc")
        case .paypal: "acct_" + ProviderIDs.random(13, from: Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
        }
    }

    /// Everything, secrets included: what the sandbox persists (a development-only database).
    var storedConfiguration: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "provider": .string(provider.rawValue),
            "credential": .string(credential),
        ]
        if let secret { members["secret"] = .string(secret) }
        if let webhookURL { members["webhook_url"] = .string(webhookURL) }
        if let webhookSecret { members["webhook_secret"] = .string(webhookSecret) }
        if let webhookID { members["webhook_id"] = .string(webhookID) }
        return .object(members)
    }

    init?(stored: JSONValue) {
        guard let id = stored["id"]?.stringValue, let providerName = stored["provider"]?.stringValue,
            let provider = SandboxProvider(rawValue: providerName), let credential = stored["credential"]?.stringValue
        else { return nil }
        self.init(
            id: id, provider: provider, credential: credential, secret: stored["secret"]?.stringValue,
            webhookURL: stored["webhook_url"]?.stringValue, webhookSecret: stored["webhook_secret"]?.stringValue,
            webhookID: stored["webhook_id"]?.stringValue)
    }

    /// The account as `GET /_sandbox/accounts` shows it: secrets masked.
    var publicJSON: JSONValue {
        var members: [String: JSONValue] = ["id": .string(id), "provider": .string(provider.rawValue)]
        switch provider {
        case .stripe:
            members["secret_key"] = .string(Self.mask(credential))
        case .razorpay:
            members["key_id"] = .string(credential)
            members["key_secret"] = secret.map { .string(Self.mask($0)) } ?? .null
        case .paypal:
            members["client_id"] = .string(credential)
            members["client_secret"] = secret.map { .string(Self.mask($0)) } ?? .null
            members["webhook_id"] = webhookID.map(JSONValue.string) ?? .null
        }
        members["webhook_url"] = webhookURL.map(JSONValue.string) ?? .null
        if provider != .paypal { members["webhook_secret"] = webhookSecret.map { .string(Self.mask($0)) } ?? .null }
        return .object(members)
    }

    /// `sk_test_…Wxyz`: enough to recognise a key, never enough to use it.
    static func mask(_ secret: String) -> String {
        let characters = Array(secret)
        guard characters.count > 12 else { return "…" + String(characters.suffix(2)) }
        let prefixEnd = characters.prefix(8).lastIndex(of: "_").map { $0 + 1 } ?? 0
        return String(characters.prefix(prefixEnd)) + "…" + String(characters.suffix(4))
    }
}
