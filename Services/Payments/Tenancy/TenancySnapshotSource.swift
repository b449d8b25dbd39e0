import Foundation
import Platform
import Postgres
import Shared

/// `GET /internal/snapshot/tenants`: everything a consumer's tenancy copy holds, for a consumer that
/// starts empty (DESIGN.md). Secrets travel sealed, exactly as in `connector.upserted`.
struct TenancySnapshotSource: Sendable {
    let database: PostgresPool

    func snapshot() async throws -> TenancySnapshot {
        try await database.platformTransaction(isolation: .repeatableRead) { connection in
            let tenants = try await connection.query("SELECT id, name, status, settings::text, version FROM payments.tenants ORDER BY id").map {
                let (id, name, status, settings, version) = try $0.decode((String, String, String, String, Int64).self)
                return TenantUpserted(tenantID: id, name: name, status: status, settings: try JSONValue.parse(settings), version: version)
            }
            let connectors = try await connection.query("""
                SELECT id, tenant_id, provider, mode, status, priority, sealed_secrets::text, previous_secret_expires_at, webhook_id,
                       coalesce(certificates, '{}'), salt_index, api_base_url, version
                FROM payments.connectors ORDER BY id
                """).map { row -> ConnectorUpserted in
                let (id, tenant, provider, mode, status, priority, sealedText, expires, webhookID, certificates, saltIndex, baseURL, version) =
                    try row.decode((String, String, String, String, String, Int32, String, Date?, String?, [String], Int32?, String?, Int64).self)
                let sealed = (try JSONValue.parse(sealedText)).objectValue?.compactMapValues(\.stringValue) ?? [:]
                return ConnectorUpserted(connectorID: id, tenantID: tenant, provider: provider, mode: mode, status: status, priority: Int(priority),
                                         sealedSecrets: sealed, previousSecretExpiresAt: expires, webhookID: webhookID,
                                         certificates: certificates.isEmpty ? nil : certificates, saltIndex: saltIndex.map(Int.init),
                                         apiBaseURL: baseURL, version: version)
            }
            var keys: [APIKeyCreated] = []
            var revoked: [String] = []
            for row in try await connection.query("""
                SELECT id, tenant_id, key_hash, prefix, role, mode, created_at, revoked_at IS NOT NULL FROM payments.api_keys ORDER BY id
                """) {
                let (id, tenant, hash, prefix, role, mode, created, isRevoked) = try row.decode((String, String, String, String, String, String, Date,
                                                                                                 Bool).self)
                keys.append(APIKeyCreated(keyID: id, tenantID: tenant, keyHash: hash, prefix: prefix, role: role, mode: mode, createdAt: created))
                if isRevoked { revoked.append(id) }
            }
            return TenancySnapshot(tenants: tenants, connectors: connectors, apiKeys: keys, revokedKeyIDs: revoked)
        }
    }
}
