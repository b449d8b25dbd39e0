import Foundation
import Platform
import Postgres
import Shared

/// Applies payments' tenancy events to ingress's copy. An upsert older than what the copy holds
/// (`version`) is ignored, so events arriving out of order never roll a secret back.
struct TenancyConsumer: EventConsumer {
    let copy: TenancyCopy

    func apply(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws -> EventOutcome {
        do {
            switch event.type {
            case TenancyEventType.tenantUpserted:
                let tenant = try event.decodeData(TenantUpserted.self)
                try await Self.upsert(tenant, on: connection)
                copy.invalidate(tenantID: tenant.tenantID)
            case TenancyEventType.connectorUpserted:
                let connector = try event.decodeData(ConnectorUpserted.self)
                guard ProviderName(rawValue: connector.provider) != nil else {
                    throw PermanentEventError("connector.upserted names an unknown provider")
                }
                try await Self.upsert(connector, on: connection)
                copy.invalidate(tenantID: connector.tenantID)
                logger.info("connector copied", ["connector_id": .string(connector.connectorID), "provider": .string(connector.provider)])
            case TenancyEventType.apiKeyCreated:
                try await Self.insert(try event.decodeData(APIKeyCreated.self), on: connection)
            case TenancyEventType.apiKeyRevoked:
                let revoked = try event.decodeData(APIKeyRevoked.self)
                try await connection.execute("""
                    UPDATE ingress.api_keys SET revoked_at = \(revoked.revokedAt)
                    WHERE key_id = \(revoked.keyID) AND revoked_at IS NULL
                    """)
            default:
                return .ignored
            }
            return .applied
        } catch let error as DecodingError {
            throw PermanentEventError("\(event.type) has an invalid payload: \(Self.describe(error))")
        }
    }

    static func upsert(_ tenant: TenantUpserted, on connection: PostgresConnection) async throws {
        try await connection.execute("""
            INSERT INTO ingress.tenants (tenant_id, name, status, settings, version)
            VALUES (\(tenant.tenantID), \(tenant.name), \(tenant.status), \(tenant.settings.jsonString)::jsonb, \(tenant.version))
            ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name, status = excluded.status,
                settings = excluded.settings, version = excluded.version, updated_at = now()
            WHERE ingress.tenants.version < excluded.version
            """)
    }

    static func upsert(_ connector: ConnectorUpserted, on connection: PostgresConnection) async throws {
        let secrets = JSONValue.object(connector.sealedSecrets.mapValues(JSONValue.string)).jsonString
        try await connection.execute("""
            INSERT INTO ingress.connectors (connector_id, tenant_id, provider, mode, status, priority, sealed_secrets,
                previous_secret_expires_at, webhook_id, certificates, salt_index, version)
            VALUES (\(connector.connectorID), \(connector.tenantID), \(connector.provider), \(connector.mode), \(connector.status),
                \(connector.priority), \(secrets)::jsonb, \(connector.previousSecretExpiresAt), \(connector.webhookID),
                \(array: connector.certificates ?? [])::text[], \(connector.saltIndex), \(connector.version))
            ON CONFLICT (connector_id) DO UPDATE SET tenant_id = excluded.tenant_id, provider = excluded.provider,
                mode = excluded.mode, status = excluded.status, priority = excluded.priority,
                sealed_secrets = excluded.sealed_secrets, previous_secret_expires_at = excluded.previous_secret_expires_at,
                webhook_id = excluded.webhook_id, certificates = excluded.certificates, salt_index = excluded.salt_index,
                version = excluded.version, updated_at = now()
            WHERE ingress.connectors.version < excluded.version
            """)
    }

    static func insert(_ key: APIKeyCreated, on connection: PostgresConnection) async throws {
        try await connection.execute("""
            INSERT INTO ingress.api_keys (key_id, tenant_id, key_hash, prefix, role, mode, created_at)
            VALUES (\(key.keyID), \(key.tenantID), \(key.keyHash), \(key.prefix), \(key.role), \(key.mode), \(key.createdAt))
            ON CONFLICT (key_id) DO NOTHING
            """)
    }

    /// The field a decoding error is about, without the offending value.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "invalid \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: "invalid payload"
        }
    }
}

/// Fills an empty copy from payments' `GET /internal/snapshot/tenants` before events are relied on
/// (DESIGN.md). Retries in the background until payments answers.
struct TenancySnapshotLoader: Sendable {
    let copy: TenancyCopy
    let database: PostgresPool
    let client: InternalClient
    let paymentsURL: String
    let logger: Logger

    func loadIfEmpty() async {
        guard await !copy.isLoaded() else { return }
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let snapshot = try await client.get(paymentsURL + "/internal/snapshot/tenants", as: TenancySnapshot.self)
                try await database.transaction { connection in
                    for tenant in snapshot.tenants { try await TenancyConsumer.upsert(tenant, on: connection) }
                    for connector in snapshot.connectors { try await TenancyConsumer.upsert(connector, on: connection) }
                    for key in snapshot.apiKeys { try await TenancyConsumer.insert(key, on: connection) }
                    if !snapshot.revokedKeyIDs.isEmpty {
                        try await connection.execute("""
                            UPDATE ingress.api_keys SET revoked_at = now()
                            WHERE key_id = ANY(\(array: snapshot.revokedKeyIDs)::text[]) AND revoked_at IS NULL
                            """)
                    }
                    try await connection.execute("""
                        INSERT INTO ingress.snapshot_state (name, loaded_at) VALUES ('tenants', now())
                        ON CONFLICT (name) DO UPDATE SET loaded_at = now()
                        """)
                }
                logger.info("tenancy snapshot loaded", ["tenants": .int(Int64(snapshot.tenants.count)),
                                                        "connectors": .int(Int64(snapshot.connectors.count))])
                return
            } catch {
                if attempt == 1 || attempt % 20 == 0 {
                    logger.warning("tenancy snapshot not available yet; retrying", ["error": .string("\(error)"),
                                                                                   "attempt": .int(Int64(attempt))])
                }
                try? await Task.sleep(for: .seconds(min(30, attempt)))
            }
        }
    }
}
