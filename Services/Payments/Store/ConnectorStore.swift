import Contracts
import Foundation
import Postgres
import Shared

/// Every statement about `payments.connectors` and `payments.connector_changes`. Secrets stay sealed here.
struct ConnectorStore: Sendable {
    /// A connector row as stored.
    struct Row: Sendable {
        var id: String
        var tenantID: String
        var provider: ProviderName
        var mode: String
        var status: String
        var priority: Int
        var sealed: [String: String]
        var previousSecretExpiresAt: Date?
        var webhookID: String?
        var certificates: [String]
        var saltIndex: Int?
        var apiBaseURL: String?
        var version: Int64

        var upserted: ConnectorUpserted {
            ConnectorUpserted(
                connectorID: id, tenantID: tenantID, provider: provider.rawValue, mode: mode, status: status,
                priority: priority,
                sealedSecrets: sealed, previousSecretExpiresAt: previousSecretExpiresAt, webhookID: webhookID,
                certificates: certificates.isEmpty ? nil : certificates, saltIndex: saltIndex, apiBaseURL: apiBaseURL,
                version: version)
        }
    }

    static let columns = """
        c.id, c.tenant_id, c.provider, c.mode, c.status, c.priority, c.sealed_secrets::text AS sealed_secrets, c.previous_secret_expires_at,
        c.webhook_id, coalesce(c.certificates, '{}') AS certificates, c.salt_index, c.api_base_url, c.version
        """

    @inline(never)
    static func row(_ row: PostgresRow) throws -> Row {
        Row(
            id: try row.decode(String.self, column: "id"), tenantID: try row.decode(String.self, column: "tenant_id"),
            provider: ProviderName(rawValue: try row.decode(String.self, column: "provider")) ?? .standard,
            mode: try row.decode(String.self, column: "mode"), status: try row.decode(String.self, column: "status"),
            priority: Int(try row.decode(Int32.self, column: "priority")),
            sealed: (try JSONValue.parse(try row.decode(String.self, column: "sealed_secrets"))).objectValue?
                .compactMapValues(\.stringValue) ?? [:],
            previousSecretExpiresAt: try row.decode(Date?.self, column: "previous_secret_expires_at"),
            webhookID: try row.decode(String?.self, column: "webhook_id"),
            certificates: try row.decode([String].self, column: "certificates"),
            saltIndex: try row.decode(Int32?.self, column: "salt_index").map(Int.init),
            apiBaseURL: try row.decode(String?.self, column: "api_base_url"),
            version: try row.decode(Int64.self, column: "version"))
    }

    /// The tenant's connector of a provider in a mode, locked (nil: none yet).
    func lock(tenantID: String, provider: ProviderName, mode: String, on connection: PostgresConnection) async throws
        -> Row?
    {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM payments.connectors c
            WHERE c.tenant_id = \(tenantID) AND c.provider = \(provider.rawValue) AND c.mode = \(mode) FOR UPDATE
            """
        ).first.map(Self.row)
    }

    func lock(id: String, on connection: PostgresConnection) async throws -> Row? {
        try await connection.query(
            "SELECT \(unsafeSQL: Self.columns) FROM payments.connectors c WHERE c.id = \(id) FOR UPDATE"
        ).first.map(Self.row)
    }

    func upsert(_ row: Row, on connection: PostgresConnection) async throws {
        let sealedJSON = JSONValue.object(row.sealed.mapValues(JSONValue.string)).jsonString
        try await connection.execute(
            """
            INSERT INTO payments.connectors (id, tenant_id, provider, mode, status, priority, sealed_secrets, previous_secret_expires_at,
                webhook_id, certificates, salt_index, api_base_url, version)
            VALUES (\(row.id), \(row.tenantID), \(row.provider.rawValue), \(row.mode), \(row.status), \(Int32(row.priority)), \(sealedJSON)::jsonb,
                \(row.previousSecretExpiresAt), \(row.webhookID), \(array: row.certificates)::text[], \(row.saltIndex.map(Int32.init)),
                \(row.apiBaseURL), \(row.version))
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, priority = excluded.priority, sealed_secrets = excluded.sealed_secrets,
                previous_secret_expires_at = excluded.previous_secret_expires_at, webhook_id = excluded.webhook_id,
                certificates = excluded.certificates, salt_index = excluded.salt_index, api_base_url = excluded.api_base_url,
                version = excluded.version, updated_at = now()
            """)
    }

    func list(tenantID: String, mode: String, on connection: PostgresConnection) async throws -> [Row] {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM payments.connectors c WHERE c.tenant_id = \(tenantID) AND c.mode = \(mode)
            ORDER BY c.priority, c.provider
            """
        ).map(Self.row)
    }

    /// Every connector's id, tenant and sealed secrets (the master-key rotation), across tenants.
    func sealedSecrets(on connection: PostgresConnection) async throws -> [(
        id: String, tenantID: String, sealed: [String: String]
    )] {
        try await connection.query("SELECT id, tenant_id, sealed_secrets::text FROM payments.connectors").map { row in
            let (id, tenantID, text) = try row.decode((String, String, String).self)
            return (id, tenantID, (try JSONValue.parse(text)).objectValue?.compactMapValues(\.stringValue) ?? [:])
        }
    }

    // MARK: Changes waiting for a second key

    static let changeColumns = """
        c.id, c.tenant_id, c.connector_id, c.provider, c.status, c.requested_by, c.decided_by, c.created_at, c.expires_at,
        c.expires_at < now() AS expired, c.request_sealed, c.connector_version
        """

    @inline(never)
    static func change(_ row: PostgresRow) throws -> ConnectorChange {
        ConnectorChange(
            id: try row.decode(String.self, column: "id"), tenantID: try row.decode(String.self, column: "tenant_id"),
            connectorID: try row.decode(String.self, column: "connector_id"),
            provider: try row.decode(String.self, column: "provider"),
            status: try row.decode(String.self, column: "status"),
            requestedBy: try row.decode(String.self, column: "requested_by"),
            decidedBy: try row.decode(String?.self, column: "decided_by"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            expiresAt: try row.decode(Date.self, column: "expires_at"),
            expired: try row.decode(Bool.self, column: "expired"),
            requestSealed: try row.decode(String.self, column: "request_sealed"),
            connectorVersion: try row.decode(Int64.self, column: "connector_version"))
    }

    func insertChange(
        id: String, tenantID: String, connectorID: String, provider: ProviderName, requestSealed: String,
        connectorVersion: Int64,
        requestedBy: String, window: Duration, on connection: PostgresConnection
    ) async throws -> ConnectorChange {
        guard
            let row = try await connection.query(
                """
                INSERT INTO payments.connector_changes AS c (id, tenant_id, connector_id, provider, request_sealed, connector_version, status,
                    requested_by, expires_at)
                VALUES (\(id), \(tenantID), \(connectorID), \(provider.rawValue), \(requestSealed), \(connectorVersion), 'pending_approval',
                    \(requestedBy), now() + make_interval(secs => \(window.components.seconds)))
                RETURNING \(unsafeSQL: Self.changeColumns)
                """
            ).first
        else { throw DomainError.internalFailure("connector change insert returned nothing") }
        return try Self.change(row)
    }

    func lockChange(_ id: String, tenantID: String, on connection: PostgresConnection) async throws -> ConnectorChange?
    {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.changeColumns) FROM payments.connector_changes c WHERE c.id = \(id) AND c.tenant_id = \(tenantID) FOR UPDATE
            """
        ).first.map(Self.change)
    }

    func markChangeApplied(_ id: String, by actor: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE payments.connector_changes SET status = 'applied', decided_by = \(actor), decided_at = now() WHERE id = \(id)
            """)
    }

    func changes(tenantID: String, limit: Int, on connection: PostgresConnection) async throws -> [ConnectorChange] {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.changeColumns) FROM payments.connector_changes c WHERE c.tenant_id = \(tenantID)
            ORDER BY c.created_at DESC, c.id DESC LIMIT \(Int64(limit))
            """
        ).map(Self.change)
    }
}
