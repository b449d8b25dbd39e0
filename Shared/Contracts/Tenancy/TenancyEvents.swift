import Foundation
import Shared

/// Payloads of the events payments publishes about tenants (DESIGN.md, Tenancy). Ingress, payouts and
/// notifications keep local copies from them, so each keeps working while payments is down.
/// `version` only grows (payments' update time in microseconds): a copy ignores an older version
/// arriving late.
public enum TenancyEventType {
    public static let tenantUpserted = "tenant.upserted"
    public static let connectorUpserted = "connector.upserted"
    public static let apiKeyCreated = "api_key.created"
    public static let apiKeyRevoked = "api_key.revoked"
}

/// `tenant.upserted`: a tenant and its settings.
public struct TenantUpserted: Codable, Sendable, Equatable {
    public var tenantID: String
    public var name: String
    /// `active` or `suspended` (a suspended tenant's webhooks and API calls are refused).
    public var status: String
    public var settings: JSONValue
    public var version: Int64

    public init(tenantID: String, name: String, status: String, settings: JSONValue = [:], version: Int64) {
        self.tenantID = tenantID
        self.name = name
        self.status = status
        self.settings = settings
        self.version = version
    }
}

/// `connector.upserted`: a tenant's credentials for one provider in one mode. Every secret travels
/// sealed with `COFFER_MASTER_KEY` (`ConnectorSecretContext` names the context each is sealed under),
/// so only services holding the master key can open them.
public struct ConnectorUpserted: Codable, Sendable, Equatable {
    public var connectorID: String
    public var tenantID: String
    public var provider: String
    /// `test` or `live`.
    public var mode: String
    /// `active` or `disabled`.
    public var status: String
    public var priority: Int
    /// Field name → sealed value: `webhook_secret`, `previous_webhook_secret`, `callback_username`,
    /// `callback_password`, `salt_key`, `callback_token`, and `credentials.<name>` (e.g. `credentials.secret_key`).
    public var sealedSecrets: [String: String]
    /// When the previous webhook secret stops being accepted (nil: until the next rotation).
    public var previousSecretExpiresAt: Date?
    /// PayPal's webhook id (part of what PayPal signs).
    public var webhookID: String?
    /// PayPal certificates pinned in the connector (PEM), used instead of fetching.
    public var certificates: [String]?
    /// PhonePe's salt index for X-VERIFY.
    public var saltIndex: Int?
    public var apiBaseURL: String?
    public var version: Int64

    public init(
        connectorID: String, tenantID: String, provider: String, mode: String, status: String = "active",
        priority: Int = 1, sealedSecrets: [String: String] = [:], previousSecretExpiresAt: Date? = nil,
        webhookID: String? = nil, certificates: [String]? = nil, saltIndex: Int? = nil, apiBaseURL: String? = nil,
        version: Int64
    ) {
        self.connectorID = connectorID
        self.tenantID = tenantID
        self.provider = provider
        self.mode = mode
        self.status = status
        self.priority = priority
        self.sealedSecrets = sealedSecrets
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.webhookID = webhookID
        self.certificates = certificates
        self.saltIndex = saltIndex
        self.apiBaseURL = apiBaseURL
        self.version = version
    }
}

/// The AES-GCM context (associated data) a connector secret is sealed under, binding it to its
/// connector and field: a ciphertext copied to another connector or field does not open.
public enum ConnectorSecretContext {
    public static func make(connectorID: String, field: String) -> String { "connector:\(connectorID):\(field)" }
}

/// `api_key.created`: only the hash and a short prefix travel; the key itself is shown once, at creation.
public struct APIKeyCreated: Codable, Sendable, Equatable {
    public var keyID: String
    public var tenantID: String
    /// Hex SHA-256 of the full key.
    public var keyHash: String
    public var prefix: String
    /// `full`, `approver` or `read_only`.
    public var role: String
    /// `test` or `live`.
    public var mode: String
    public var createdAt: Date

    public init(
        keyID: String, tenantID: String, keyHash: String, prefix: String, role: String, mode: String, createdAt: Date
    ) {
        self.keyID = keyID
        self.tenantID = tenantID
        self.keyHash = keyHash
        self.prefix = prefix
        self.role = role
        self.mode = mode
        self.createdAt = createdAt
    }
}

/// `api_key.revoked`.
public struct APIKeyRevoked: Codable, Sendable, Equatable {
    public var keyID: String
    public var tenantID: String
    public var revokedAt: Date

    public init(keyID: String, tenantID: String, revokedAt: Date) {
        self.keyID = keyID
        self.tenantID = tenantID
        self.revokedAt = revokedAt
    }
}

/// `GET /internal/snapshot/tenants` on payments: everything a new copy needs before applying events.
public struct TenancySnapshot: Codable, Sendable {
    public var tenants: [TenantUpserted]
    public var connectors: [ConnectorUpserted]
    public var apiKeys: [APIKeyCreated]
    public var revokedKeyIDs: [String]

    public init(
        tenants: [TenantUpserted], connectors: [ConnectorUpserted], apiKeys: [APIKeyCreated], revokedKeyIDs: [String]
    ) {
        self.tenants = tenants
        self.connectors = connectors
        self.apiKeys = apiKeys
        self.revokedKeyIDs = revokedKeyIDs
    }
}

/// `GET /internal/tenancy/changes?since=` on payments: what changed about who may act — tenants
/// (status and settings), keys created and keys revoked — since a time, so a copy can confirm it is
/// current without waiting for the outbox (`TenancyFreshness`). Without `since`: every tenant and
/// every revoked key.
public struct TenancyChanges: Codable, Sendable {
    /// Payments' clock when it read the changes; the next request asks from a little before it.
    public var asOf: Date
    public var tenants: [TenantUpserted]
    public var apiKeys: [APIKeyCreated]
    public var revokedKeys: [APIKeyRevoked]

    public init(asOf: Date, tenants: [TenantUpserted], apiKeys: [APIKeyCreated], revokedKeys: [APIKeyRevoked]) {
        self.asOf = asOf
        self.tenants = tenants
        self.apiKeys = apiKeys
        self.revokedKeys = revokedKeys
    }
}

extension EventEnvelope {
    /// Decodes `data` as `T` with Coffer's JSON conventions.
    public func decodeData<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.makeDecoder().decode(T.self, from: Data(data.serialized()))
    }

    /// An envelope whose `data` is `payload` encoded with Coffer's JSON conventions.
    public static func make<T: Encodable>(
        type: String, source: String, tenantID: String?, correlationID: String?,
        payload: T, occurredAt: Date = Date()
    ) throws -> EventEnvelope {
        let data = try JSONValue.parse(JSONCoding.makeEncoder().encode(payload))
        return EventEnvelope(
            type: type, source: source, tenantID: tenantID, occurredAt: occurredAt,
            correlationID: correlationID, data: data)
    }
}
