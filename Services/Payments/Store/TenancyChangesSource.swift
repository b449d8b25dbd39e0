import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// `GET /internal/tenancy/changes?since=`: tenants, keys created and keys revoked since a time, for a
/// copy that confirms it is current (`TenancyFreshness`) instead of trusting the outbox alone — a
/// revocation or suspension then reaches payouts and ingress within their bound even when an event
/// is stuck. No connectors (they carry secrets and are not about who may act). Without `since`:
/// every tenant and every revoked key (a copy's first confirmation).
struct TenancyChangesSource: Sendable {
    let database: PostgresPool

    func changes(since: Date?) async throws -> TenancyChanges {
        try await database.platformTransaction(isolation: .repeatableRead) { connection in
            let asOf =
                try await connection.query("SELECT transaction_timestamp()").first?.decode(Date.self, at: 0) ?? Date()
            let tenantRows = try await connection.query(
                """
                SELECT id, name, status, settings::text, version FROM payments.tenants
                WHERE \(since)::timestamptz IS NULL OR updated_at > \(since) ORDER BY id
                """)
            // A first confirmation needs no created keys: an unknown key is refused anyway, and the outbox brings it.
            let created = try await connection.query(
                """
                SELECT id, tenant_id, key_hash, prefix, role, mode, created_at FROM payments.api_keys
                WHERE \(since)::timestamptz IS NOT NULL AND created_at > \(since) ORDER BY id
                """)
            let revoked = try await connection.query(
                """
                SELECT id, tenant_id, revoked_at FROM payments.api_keys
                WHERE revoked_at IS NOT NULL AND (\(since)::timestamptz IS NULL OR revoked_at > \(since)) ORDER BY id
                """)
            return try Self.changes(asOf: asOf, tenants: tenantRows, created: created, revoked: revoked)
        }
    }

    // Rows are read in a synchronous function (docs/compiler-workarounds.md).
    @inline(never)
    private static func changes(asOf: Date, tenants: PostgresRows, created: PostgresRows, revoked: PostgresRows) throws
        -> TenancyChanges
    {
        var result = TenancyChanges(asOf: asOf, tenants: [], apiKeys: [], revokedKeys: [])
        for row in tenants {
            let (id, name, status, settings, version) = try row.decode((String, String, String, String, Int64).self)
            result.tenants.append(
                TenantUpserted(
                    tenantID: id, name: name, status: status, settings: try JSONValue.parse(settings),
                    version: version))
        }
        for row in created {
            let (id, tenant, hash, prefix, role, mode, createdAt) = try row.decode(
                (String, String, String, String, String, String, Date).self)
            result.apiKeys.append(
                APIKeyCreated(
                    keyID: id, tenantID: tenant, keyHash: hash, prefix: prefix, role: role, mode: mode,
                    createdAt: createdAt))
        }
        for row in revoked {
            let (id, tenant, revokedAt) = try row.decode((String, String, Date).self)
            result.revokedKeys.append(APIKeyRevoked(keyID: id, tenantID: tenant, revokedAt: revokedAt))
        }
        return result
    }
}
