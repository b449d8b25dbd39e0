import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// `GET /internal/snapshot/tenants`: everything a consumer's tenancy copy holds, for a consumer that
/// starts empty (DESIGN.md). Secrets travel sealed, exactly as in `connector.upserted`. One
/// repeatable-read transaction, so the parts are consistent with each other.
struct TenancySnapshotSource: Sendable {
    let database: PostgresPool

    func snapshot() async throws -> TenancySnapshot {
        try await database.platformTransaction(isolation: .repeatableRead) { connection in
            let tenants = try await Self.tenants(on: connection)
            let connectors = try await Self.connectors(on: connection)
            let (keys, revoked) = try await Self.keys(on: connection)
            return TenancySnapshot(tenants: tenants, connectors: connectors, apiKeys: keys, revokedKeyIDs: revoked)
        }
    }

    private static func tenants(on connection: PostgresConnection) async throws -> [TenantUpserted] {
        try await connection.query("SELECT id, name, status, settings::text, version FROM payments.tenants ORDER BY id")
            .map(tenant)
    }

    // Rows are read in synchronous functions: Swift 6.3's optimizer crashes splitting the async ones
    // when typed-throwing parsers are called inside their loops (release builds only; docs/compiler-workarounds.md).
    @inline(never)
    private static func tenant(_ row: PostgresRow) throws -> TenantUpserted {
        let (id, name, status, settings, version) = try row.decode((String, String, String, String, Int64).self)
        return TenantUpserted(
            tenantID: id, name: name, status: status, settings: try JSONValue.parse(settings), version: version)
    }

    private static func connectors(on connection: PostgresConnection) async throws -> [ConnectorUpserted] {
        let rows = try await connection.query(
            """
            SELECT id, tenant_id, provider, mode, status, priority, sealed_secrets::text AS sealed_secrets, previous_secret_expires_at, webhook_id,
                   coalesce(certificates, '{}') AS certificates, salt_index, api_base_url, version
            FROM payments.connectors ORDER BY id
            """)
        return try rows.map(connector)
    }

    @inline(never)
    private static func connector(_ row: PostgresRow) throws -> ConnectorUpserted {
        let sealedText = try row.decode(String.self, column: "sealed_secrets")
        let sealed = (try JSONValue.parse(sealedText)).objectValue?.compactMapValues(\.stringValue) ?? [:]
        let certificates = try row.decode([String].self, column: "certificates")
        return ConnectorUpserted(
            connectorID: try row.decode(String.self, column: "id"),
            tenantID: try row.decode(String.self, column: "tenant_id"),
            provider: try row.decode(String.self, column: "provider"),
            mode: try row.decode(String.self, column: "mode"),
            status: try row.decode(String.self, column: "status"),
            priority: Int(try row.decode(Int32.self, column: "priority")),
            sealedSecrets: sealed,
            previousSecretExpiresAt: try row.decode(Date?.self, column: "previous_secret_expires_at"),
            webhookID: try row.decode(String?.self, column: "webhook_id"),
            certificates: certificates.isEmpty ? nil : certificates,
            saltIndex: try row.decode(Int32?.self, column: "salt_index").map(Int.init),
            apiBaseURL: try row.decode(String?.self, column: "api_base_url"),
            version: try row.decode(Int64.self, column: "version"))
    }

    private static func keys(on connection: PostgresConnection) async throws -> ([APIKeyCreated], [String]) {
        let rows = try await connection.query(
            """
            SELECT id, tenant_id, key_hash, prefix, role, mode, created_at, revoked_at IS NOT NULL FROM payments.api_keys ORDER BY id
            """)
        return try keyList(rows)
    }

    @inline(never)
    private static func keyList(_ rows: PostgresRows) throws -> ([APIKeyCreated], [String]) {
        var keys: [APIKeyCreated] = []
        var revoked: [String] = []
        for row in rows {
            let (id, tenant, hash, prefix, role, mode, created, isRevoked) =
                try row.decode((String, String, String, String, String, String, Date, Bool).self)
            keys.append(
                APIKeyCreated(
                    keyID: id, tenantID: tenant, keyHash: hash, prefix: prefix, role: role, mode: mode,
                    createdAt: created))
            if isRevoked { revoked.append(id) }
        }
        return (keys, revoked)
    }
}
