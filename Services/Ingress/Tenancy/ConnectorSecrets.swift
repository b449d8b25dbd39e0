import Foundation
import Shared

/// One connector as verification needs it: secrets opened with the master key, certificates parsed.
/// Lives only in memory (a short cache), never in logs.
struct ConnectorSecrets: Sendable {
    let connectorID: String
    let tenantID: String
    let provider: ProviderName
    let livemode: Bool
    /// The current webhook secret first, then the previous one while a rotation is in its grace period.
    let webhookSecrets: [String]
    let callbackUsername: String?
    let callbackPassword: String?
    let saltKey: String?
    let saltIndex: Int?
    let callbackToken: String?
    /// Provider API credentials by name (`credentials.secret_key` → "secret_key").
    let credentials: [String: String]
    let webhookID: String?
    let pinnedCertificates: [X509Certificate]

    /// Opens a stored connector. Throws when a secret cannot be opened (wrong master key, tampering).
    init(record: ConnectorRecord, keyring: EncryptionKeyring, now: Date) throws {
        func open(_ field: String) throws -> String? {
            guard let sealed = record.sealedSecrets[field] else { return nil }
            return try keyring.openString(sealed, context: ConnectorSecretContext.make(connectorID: record.connectorID, field: field))
        }
        connectorID = record.connectorID
        tenantID = record.tenantID
        guard let provider = ProviderName(rawValue: record.provider) else {
            throw CryptoError(code: "unknown_provider", reason: "connector names an unknown provider")
        }
        self.provider = provider
        livemode = record.mode == "live"
        var secrets: [String] = []
        if let current = try open("webhook_secret") { secrets.append(current) }
        if let previous = try open("previous_webhook_secret"), record.previousSecretExpiresAt.map({ $0 > now }) ?? true {
            secrets.append(previous)
        }
        webhookSecrets = secrets
        callbackUsername = try open("callback_username")
        callbackPassword = try open("callback_password")
        saltKey = try open("salt_key")
        saltIndex = record.saltIndex
        callbackToken = try open("callback_token")
        var credentials: [String: String] = [:]
        for field in record.sealedSecrets.keys where field.hasPrefix("credentials.") {
            credentials[String(field.dropFirst("credentials.".count))] = try open(field)
        }
        self.credentials = credentials
        webhookID = record.webhookID
        pinnedCertificates = try record.certificates.map { try X509Certificate(pem: $0) }
    }
}

/// A connector row of the local copy.
struct ConnectorRecord: Sendable {
    let connectorID: String
    let tenantID: String
    let provider: String
    let mode: String
    let status: String
    let sealedSecrets: [String: String]
    let previousSecretExpiresAt: Date?
    let webhookID: String?
    let certificates: [String]
    let saltIndex: Int?
}

/// A tenant row of the local copy.
struct TenantRecord: Sendable {
    let tenantID: String
    let status: String
    var isActive: Bool { status == "active" }
}
