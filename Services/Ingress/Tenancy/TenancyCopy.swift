import Foundation
import HTTP
import Platform
import Postgres
import Shared
import Synchronization

/// Ingress's copy of tenants, connectors and API keys (from payments' events and snapshot), with a
/// one-second in-memory cache so verifying a webhook costs no database round trip: a rotated secret
/// takes effect everywhere within about a second.
final class TenancyCopy: Sendable {
    struct TenantConnectors: Sendable {
        let tenant: TenantRecord?
        let connectors: [ConnectorSecrets]
    }

    private struct CacheEntry {
        let value: TenantConnectors
        let expires: UInt64
    }

    private let database: PostgresPool
    private let keyring: EncryptionKeyring
    private let logger: Logger
    private let cache = Mutex<[String: CacheEntry]>([:])
    private let cacheLifetime: UInt64 = 1_000_000_000

    init(database: PostgresPool, keyring: EncryptionKeyring, logger: Logger) {
        self.database = database
        self.keyring = keyring
        self.logger = logger
    }

    /// The tenant and its active connectors for `provider` (test and live). Cached for a second,
    /// misses included, so a flood for an unknown tenant does not reach the database.
    func lookup(tenantID: String, provider: ProviderName) async throws -> TenantConnectors {
        let key = tenantID + "|" + provider.rawValue
        let now = MonotonicClock.nanoseconds()
        if let entry = cache.withLock({ $0[key] }), entry.expires > now { return entry.value }
        let tenantRows = try await database.query("SELECT status FROM ingress.tenants WHERE tenant_id = \(tenantID)")
        let tenant = try tenantRows.first.map { TenantRecord(tenantID: tenantID, status: try $0.decode(String.self, at: 0)) }
        var connectors: [ConnectorSecrets] = []
        if tenant != nil {
            let rows = try await database.query("""
                SELECT connector_id, mode, status, sealed_secrets::text, previous_secret_expires_at, webhook_id,
                       coalesce(certificates, '{}'), salt_index
                FROM ingress.connectors
                WHERE tenant_id = \(tenantID) AND provider = \(provider.rawValue) AND status = 'active'
                ORDER BY mode DESC, priority, connector_id
                """)
            for row in rows {
                let (id, mode, status, secretsText, expires, webhookID, certificates, saltIndex) =
                    try row.decode((String, String, String, String, Date?, String?, [String], Int32?).self)
                let sealed = (try JSONValue.parse(secretsText)).objectValue?.compactMapValues(\.stringValue) ?? [:]
                let record = ConnectorRecord(connectorID: id, tenantID: tenantID, provider: provider.rawValue, mode: mode,
                                             status: status, sealedSecrets: sealed, previousSecretExpiresAt: expires,
                                             webhookID: webhookID, certificates: certificates, saltIndex: saltIndex.map(Int.init))
                do {
                    connectors.append(try ConnectorSecrets(record: record, keyring: keyring, now: Date()))
                } catch {
                    // Our fault (master key or corrupted copy): never a reason to accept, and the
                    // sender must retry, so the caller answers 503.
                    logger.error("connector secrets cannot be opened", ["connector_id": .string(id), "error": .string("\(error)")])
                    throw ConnectorUnavailable(connectorID: id)
                }
            }
        }
        let value = TenantConnectors(tenant: tenant, connectors: connectors)
        cache.withLock { cache in
            if cache.count > 50_000 { cache.removeAll(keepingCapacity: true) }
            cache[key] = CacheEntry(value: value, expires: now &+ cacheLifetime)
        }
        return value
    }

    /// Drops cached entries of a tenant (after this process applied a change to it).
    func invalidate(tenantID: String) {
        cache.withLock { cache in cache = cache.filter { !$0.key.hasPrefix(tenantID + "|") } }
    }
}

/// A connector whose secrets cannot be opened right now.
struct ConnectorUnavailable: Error, CustomStringConvertible {
    let connectorID: String
    var description: String { "connector \(connectorID) cannot be used" }
}
