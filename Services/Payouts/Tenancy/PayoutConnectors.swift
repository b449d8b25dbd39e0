import Foundation
import HTTP
import Postgres
import ProviderKit
import Shared
import Synchronization

/// The tenant's connectors from the tenancy replica, opened for payout calls: which one pays a
/// destination (the first by priority whose provider pays that kind), cached for a second.
final class PayoutConnectors: Sendable {
    private let database: PostgresPool
    private let keyring: EncryptionKeyring
    private let adapters: [ProviderName: any PayoutProviderAdapter]
    private let timeout: Duration
    private let cache = Mutex<[String: (connectors: [ProviderConnector], expires: UInt64)]>([:])

    init(database: PostgresPool, keyring: EncryptionKeyring, adapters: [ProviderName: any PayoutProviderAdapter], timeout: Duration) {
        self.database = database
        self.keyring = keyring
        self.adapters = adapters
        self.timeout = timeout
    }

    func adapter(_ provider: ProviderName) -> (any PayoutProviderAdapter)? { adapters[provider] }

    /// The connector that pays `kind` for this tenant and mode, nil when none can.
    func connector(for kind: PayoutDestination.Kind, tenantID: String, livemode: Bool) async throws -> ProviderConnector? {
        try await active(tenantID: tenantID, livemode: livemode).first { adapters[$0.provider]?.destinations.contains(kind) == true }
    }

    /// A connector by id whatever its status (a payout already sent is looked up where it went).
    func connector(id: String, tenantID: String, livemode: Bool) async throws -> ProviderConnector? {
        if let cached = try await active(tenantID: tenantID, livemode: livemode).first(where: { $0.connectorID == id }) { return cached }
        return try await database.tenantTransaction(tenantID) { connection in
            try await connection.query("""
                SELECT connector_id, provider, mode, sealed_secrets::text, api_base_url FROM payouts.connectors
                WHERE tenant_id = \(tenantID) AND connector_id = \(id)
                """).first.flatMap(open)
        }
    }

    func active(tenantID: String, livemode: Bool) async throws -> [ProviderConnector] {
        let key = tenantID + (livemode ? "|live" : "|test")
        let now = MonotonicClock.nanoseconds()
        if let cached = cache.withLock({ $0[key] }), cached.expires > now { return cached.connectors }
        let connectors = try await database.tenantTransaction(tenantID) { connection -> [ProviderConnector] in
            try await connection.query("""
                SELECT connector_id, provider, mode, sealed_secrets::text, api_base_url FROM payouts.connectors
                WHERE tenant_id = \(tenantID) AND mode = \(livemode ? "live" : "test") AND status = 'active'
                ORDER BY priority, connector_id
                """).compactMap(open)
        }
        cache.withLock { $0[key] = (connectors, now &+ 1_000_000_000) }
        return connectors
    }

    func invalidateAll() {
        cache.withLock { cache in cache = [:] }
    }

    func invalidate(tenantID: String) {
        cache.withLock { cache in cache = cache.filter { !$0.key.hasPrefix(tenantID + "|") } }
    }

    // Synchronous: opening secrets calls typed-throwing parsers (see the release-build note in payments).
    @inline(never)
    private func open(_ row: PostgresRow) throws -> ProviderConnector? {
        let (id, providerName, mode, secretsText, baseURL) = try row.decode((String, String, String, String, String?).self)
        guard let provider = ProviderName(rawValue: providerName) else { return nil }
        let sealed = (try JSONValue.parse(secretsText)).objectValue?.compactMapValues(\.stringValue) ?? [:]
        var credentials: [String: String] = [:]
        for (field, box) in sealed where field.hasPrefix("credentials.") {
            credentials[String(field.dropFirst("credentials.".count))] =
                try keyring.openString(box, context: ConnectorSecretContext.make(connectorID: id, field: field))
        }
        let livemode = mode == "live"
        return ProviderConnector(connectorID: id, provider: provider, livemode: livemode,
                                 apiBaseURL: baseURL ?? ProviderHosts.official(provider, livemode: livemode), credentials: credentials,
                                 timeout: timeout)
    }
}
