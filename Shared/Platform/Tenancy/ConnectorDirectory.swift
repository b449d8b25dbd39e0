import Contracts
import Foundation
import HTTP
import Postgres
import Shared
import Synchronization

/// The read side of tenants' connectors for every service: rows from the owner's table (payments) or
/// a service's tenancy replica (ingress, payouts), with their secrets opened under the master key,
/// cached per tenant for a second (misses too, so a flood for an unknown tenant stays off the database;
/// a bounded LRU, so it cannot grow without end). A rotated secret or a disabled connector takes effect
/// everywhere within about a second; a process that changed a tenant invalidates it at once.
public final class ConnectorDirectory: Sendable {
    /// Where the rows are (the same shapes as `APIKeyAuthenticator.KeySource`).
    public enum Source: Sendable {
        /// Payments' own tables: `connectors.id`, `tenants.id`.
        case owner(schema: String)
        /// A service's `TenancyReplica`: `connectors.connector_id`, `tenants.tenant_id`.
        case replica(schema: String)
    }

    /// A tenant and its active connectors (both modes, every provider), by priority.
    public struct TenantConnectors: Sendable {
        /// Nil when the tenant is unknown here.
        public let tenantStatus: String?
        public let connectors: [OpenedConnector]

        public var tenantIsActive: Bool { tenantStatus == "active" }
    }

    private struct Cached {
        let value: TenantConnectors
        let expires: UInt64
    }

    private let database: PostgresPool
    private let keyring: EncryptionKeyring
    private let logger: Logger
    private let connectorTable: String
    private let idColumn: String
    private let tenantQuery: String
    private let cache = Mutex(LRUCache<String, Cached>(capacity: 50_000))
    private let lifetime: UInt64 = 1_000_000_000

    public init(database: PostgresPool, source: Source, keyring: EncryptionKeyring, logger: Logger) {
        self.database = database
        self.keyring = keyring
        self.logger = logger
        switch source {
        case .owner(let schema):
            connectorTable = schema + ".connectors"
            idColumn = "id"
            tenantQuery = "SELECT status FROM \(schema).tenants WHERE id = $1"
        case .replica(let schema):
            connectorTable = schema + ".connectors"
            idColumn = "connector_id"
            tenantQuery = "SELECT status FROM \(schema).tenants WHERE tenant_id = $1"
        }
    }

    /// The tenant's active connectors, opened (cached for a second).
    public func tenant(_ tenantID: String) async throws -> TenantConnectors {
        let now = MonotonicClock.nanoseconds()
        if let cached = cache.withLock({ $0.value(for: tenantID) }), cached.expires > now { return cached.value }
        let value = try await database.tenantTransaction(tenantID) { connection -> TenantConnectors in
            let status = try await connection.query(PostgresQuery(unsafeSQL: tenantQuery, binds: [tenantID])).first?
                .decode(String.self, at: 0)
            guard status != nil else { return TenantConnectors(tenantStatus: nil, connectors: []) }
            let rows = try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns(idColumn)) FROM \(unsafeSQL: connectorTable) c
                WHERE c.tenant_id = \(tenantID) AND c.status = 'active'
                ORDER BY c.priority, c.\(unsafeSQL: idColumn)
                """)
            return TenantConnectors(tenantStatus: status, connectors: try rows.map(open))
        }
        cache.withLock { $0.set(Cached(value: value, expires: now &+ lifetime), for: tenantID) }
        return value
    }

    /// The tenant's active connectors of one mode, by priority.
    public func active(tenantID: String, livemode: Bool) async throws -> [OpenedConnector] {
        try await tenant(tenantID).connectors.filter { $0.livemode == livemode }
    }

    /// One connector whatever its status (a payment or payout already made is followed up where it went).
    public func connector(id: String, tenantID: String) async throws -> OpenedConnector? {
        if let active = try await tenant(tenantID).connectors.first(where: { $0.connectorID == id }) { return active }
        return try await database.tenantTransaction(tenantID) { connection in
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns(idColumn)) FROM \(unsafeSQL: connectorTable) c
                WHERE c.tenant_id = \(tenantID) AND c.\(unsafeSQL: idColumn) = \(id)
                """
            ).first.map(open)
        }
    }

    /// Forgets a tenant here (this process just changed it).
    public func invalidate(tenantID: String) { cache.withLock { _ = $0.remove(tenantID) } }

    public func invalidateAll() { cache.withLock { $0.removeAll() } }

    static func columns(_ idColumn: String) -> String {
        """
        c.\(idColumn) AS connector_id, c.tenant_id, c.provider, c.mode, c.status, c.priority, c.sealed_secrets::text AS sealed_secrets,
        c.previous_secret_expires_at, c.webhook_id, coalesce(c.certificates, '{}') AS certificates, c.salt_index, c.api_base_url
        """
    }

    // Synchronous: opening secrets calls typed-throwing parsers (docs/compiler-workarounds.md).
    @inline(never)
    private func open(_ row: PostgresRow) throws -> OpenedConnector {
        let record = try ConnectorRow(row: row)
        do {
            return try OpenedConnector(record, keyring: keyring, now: Date())
        } catch {
            // Our fault (master key or a corrupted copy): never a reason to accept or to pay; callers answer 503.
            logger.error(
                "connector secrets cannot be opened",
                ["connector_id": .string(record.connectorID), "error": .string("\(error)")])
            throw ConnectorUnavailable(connectorID: record.connectorID)
        }
    }
}

/// A connector row as stored (secrets still sealed).
struct ConnectorRow: Sendable {
    let connectorID: String
    let tenantID: String
    let provider: String
    let mode: String
    let status: String
    let priority: Int
    let sealedSecrets: [String: String]
    let previousSecretExpiresAt: Date?
    let webhookID: String?
    let certificates: [String]
    let saltIndex: Int?
    let apiBaseURL: String?

    init(row: PostgresRow) throws {
        connectorID = try row.decode(String.self, column: "connector_id")
        tenantID = try row.decode(String.self, column: "tenant_id")
        provider = try row.decode(String.self, column: "provider")
        mode = try row.decode(String.self, column: "mode")
        status = try row.decode(String.self, column: "status")
        priority = Int(try row.decode(Int32.self, column: "priority"))
        let sealed = try JSONValue.parse(try row.decode(String.self, column: "sealed_secrets"))
        sealedSecrets = sealed.objectValue?.compactMapValues(\.stringValue) ?? [:]
        previousSecretExpiresAt = try row.decode(Date?.self, column: "previous_secret_expires_at")
        webhookID = try row.decode(String?.self, column: "webhook_id")
        certificates = try row.decode([String].self, column: "certificates")
        saltIndex = try row.decode(Int32?.self, column: "salt_index").map(Int.init)
        apiBaseURL = try row.decode(String?.self, column: "api_base_url")
    }
}

/// One connector with its secrets opened. Lives only in memory (the directory's short cache), never
/// in logs or answers.
public struct OpenedConnector: Sendable {
    public let connectorID: String
    public let tenantID: String
    public let provider: ProviderName
    public let livemode: Bool
    public let status: String
    public let priority: Int
    /// The tenant's `api_base_url` when it set one (nil: the provider's official host).
    public let apiBaseURL: String?
    /// Provider API credentials by name (`credentials.secret_key` → "secret_key").
    public let credentials: [String: String]
    /// The current webhook secret first, then the previous one while a rotation is in its grace period.
    public let webhookSecrets: [String]
    public let callbackUsername: String?
    public let callbackPassword: String?
    public let saltKey: String?
    public let saltIndex: Int?
    public let callbackToken: String?
    public let webhookID: String?
    /// Pinned certificates (PayPal), parsed once per cache load.
    public let pinnedCertificates: [X509Certificate]

    init(_ record: ConnectorRow, keyring: EncryptionKeyring, now: Date) throws {
        func open(_ field: String) throws -> String? {
            guard let sealed = record.sealedSecrets[field] else { return nil }
            return try keyring.openString(
                sealed, context: ConnectorSecretContext.make(connectorID: record.connectorID, field: field))
        }
        guard let provider = ProviderName(rawValue: record.provider) else {
            throw CryptoError(code: "unknown_provider", reason: "connector names an unknown provider")
        }
        connectorID = record.connectorID
        tenantID = record.tenantID
        self.provider = provider
        livemode = record.mode == "live"
        status = record.status
        priority = record.priority
        apiBaseURL = record.apiBaseURL
        var credentials: [String: String] = [:]
        for field in record.sealedSecrets.keys where field.hasPrefix("credentials.") {
            credentials[String(field.dropFirst("credentials.".count))] = try open(field)
        }
        self.credentials = credentials
        var secrets: [String] = []
        if let current = try open("webhook_secret") { secrets.append(current) }
        if let previous = try open("previous_webhook_secret"), record.previousSecretExpiresAt.map({ $0 > now }) ?? true
        {
            secrets.append(previous)
        }
        webhookSecrets = secrets
        callbackUsername = try open("callback_username")
        callbackPassword = try open("callback_password")
        saltKey = try open("salt_key")
        saltIndex = record.saltIndex
        callbackToken = try open("callback_token")
        webhookID = record.webhookID
        pinnedCertificates = try record.certificates.map { try X509Certificate(pem: $0) }
    }
}

/// A connector whose secrets cannot be opened right now.
public struct ConnectorUnavailable: Error, CustomStringConvertible {
    public let connectorID: String
    public var description: String { "connector \(connectorID) cannot be used" }
}
