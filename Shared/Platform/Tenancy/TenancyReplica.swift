import Contracts
import Foundation
import Postgres
import Shared

/// A service's read copy of payments' tenancy (DESIGN.md): tenants with their settings, connectors
/// with their secrets still sealed, and API keys (hash and prefix only). Kept from payments' events
/// and, when the copy starts empty, from its snapshot, so the service keeps working while payments
/// is down. An upsert older than what the copy holds (`version`) is ignored, so events arriving out of
/// order never roll a secret back. The tables live in the service's own schema.
public struct TenancyReplica: Sendable {
    public let schema: String

    public init(schema: String) { self.schema = schema }

    /// The copy's tables (never edit once applied; `api_base_url` is where the connector's API calls go).
    public static func migration(version: Int, schema: String) -> Migration {
        Migration(
            version: version, name: "create_tenancy_replica",
            sql: """
                CREATE TABLE \(schema).tenants (
                    tenant_id text PRIMARY KEY,
                    name text NOT NULL,
                    status text NOT NULL,
                    settings jsonb NOT NULL DEFAULT '{}',
                    version bigint NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE \(schema).connectors (
                    connector_id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    provider text NOT NULL,
                    mode text NOT NULL,
                    status text NOT NULL,
                    priority integer NOT NULL,
                    sealed_secrets jsonb NOT NULL,
                    previous_secret_expires_at timestamptz,
                    webhook_id text,
                    certificates text[],
                    salt_index integer,
                    api_base_url text,
                    version bigint NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX connectors_by_tenant ON \(schema).connectors (tenant_id, provider);
                CREATE TABLE \(schema).api_keys (
                    key_id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    key_hash text NOT NULL UNIQUE,
                    prefix text NOT NULL,
                    role text NOT NULL,
                    mode text NOT NULL,
                    created_at timestamptz NOT NULL,
                    revoked_at timestamptz
                );
                CREATE TABLE \(schema).snapshot_state (
                    name text PRIMARY KEY,
                    loaded_at timestamptz NOT NULL
                );
                """)
    }

    /// Applies a tenancy event; returns the tenant it changed, nil for other event types.
    public func apply(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws -> String?
    {
        do {
            switch event.type {
            case TenancyEventType.tenantUpserted:
                let tenant = try event.decodeData(TenantUpserted.self)
                try await scope(tenant.tenantID, on: connection)
                try await upsert(tenant, on: connection)
                return tenant.tenantID
            case TenancyEventType.connectorUpserted:
                let connector = try event.decodeData(ConnectorUpserted.self)
                guard ProviderName(rawValue: connector.provider) != nil else {
                    throw PermanentEventError("connector.upserted names an unknown provider")
                }
                try await scope(connector.tenantID, on: connection)
                try await upsert(connector, on: connection)
                logger.info(
                    "connector copied",
                    ["connector_id": .string(connector.connectorID), "provider": .string(connector.provider)])
                return connector.tenantID
            case TenancyEventType.apiKeyCreated:
                let key = try event.decodeData(APIKeyCreated.self)
                try await scope(key.tenantID, on: connection)
                try await insert(key, on: connection)
                return key.tenantID
            case TenancyEventType.apiKeyRevoked:
                let revoked = try event.decodeData(APIKeyRevoked.self)
                try await scope(revoked.tenantID, on: connection)
                try await revoke(revoked, on: connection)
                return revoked.tenantID
            default:
                return nil
            }
        } catch let error as DecodingError {
            throw PermanentEventError("\(event.type) has an invalid payload: \(Self.describe(error))")
        }
    }

    /// Row-level security (where the service has it): this event's rows belong to its tenant.
    private func scope(_ tenantID: String, on connection: PostgresConnection) async throws {
        try await connection.execute("SELECT set_config('app.tenant_id', \(tenantID), true)")
    }

    public func upsert(_ tenant: TenantUpserted, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO \(unsafeSQL: schema).tenants (tenant_id, name, status, settings, version)
            VALUES (\(tenant.tenantID), \(tenant.name), \(tenant.status), \(tenant.settings.jsonString)::jsonb, \(tenant.version))
            ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name, status = excluded.status,
                settings = excluded.settings, version = excluded.version, updated_at = now()
            WHERE \(unsafeSQL: schema).tenants.version < excluded.version
            """)
    }

    public func upsert(_ connector: ConnectorUpserted, on connection: PostgresConnection) async throws {
        let secrets = JSONValue.object(connector.sealedSecrets.mapValues(JSONValue.string)).jsonString
        try await connection.execute(
            """
            INSERT INTO \(unsafeSQL: schema).connectors (connector_id, tenant_id, provider, mode, status, priority, sealed_secrets,
                previous_secret_expires_at, webhook_id, certificates, salt_index, api_base_url, version)
            VALUES (\(connector.connectorID), \(connector.tenantID), \(connector.provider), \(connector.mode), \(connector.status),
                \(connector.priority), \(secrets)::jsonb, \(connector.previousSecretExpiresAt), \(connector.webhookID),
                \(array: connector.certificates ?? [])::text[], \(connector.saltIndex), \(connector.apiBaseURL), \(connector.version))
            ON CONFLICT (connector_id) DO UPDATE SET tenant_id = excluded.tenant_id, provider = excluded.provider,
                mode = excluded.mode, status = excluded.status, priority = excluded.priority,
                sealed_secrets = excluded.sealed_secrets, previous_secret_expires_at = excluded.previous_secret_expires_at,
                webhook_id = excluded.webhook_id, certificates = excluded.certificates, salt_index = excluded.salt_index,
                api_base_url = excluded.api_base_url, version = excluded.version, updated_at = now()
            WHERE \(unsafeSQL: schema).connectors.version < excluded.version
            """)
    }

    public func revoke(_ revoked: APIKeyRevoked, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE \(unsafeSQL: schema).api_keys SET revoked_at = \(revoked.revokedAt)
            WHERE key_id = \(revoked.keyID) AND revoked_at IS NULL
            """)
    }

    public func insert(_ key: APIKeyCreated, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO \(unsafeSQL: schema).api_keys (key_id, tenant_id, key_hash, prefix, role, mode, created_at)
            VALUES (\(key.keyID), \(key.tenantID), \(key.keyHash), \(key.prefix), \(key.role), \(key.mode), \(key.createdAt))
            ON CONFLICT (key_id) DO NOTHING
            """)
    }

    /// Whether the copy holds anything (a snapshot was loaded, or events arrived).
    public func isLoaded(_ database: PostgresPool) async -> Bool {
        let count = try? await database.platformTransaction { connection in
            try await connection.query(
                """
                SELECT (SELECT count(*) FROM \(unsafeSQL: schema).snapshot_state) + (SELECT count(*) FROM \(unsafeSQL: schema).tenants)
                """
            ).first?.decode(Int64.self, at: 0)
        }
        return (count ?? 0) ?? 0 > 0
    }

    /// Fills the copy from a snapshot, in one transaction.
    public func load(_ snapshot: TenancySnapshot, into database: PostgresPool) async throws {
        try await database.platformTransaction { connection in
            for tenant in snapshot.tenants { try await upsert(tenant, on: connection) }
            for connector in snapshot.connectors { try await upsert(connector, on: connection) }
            for key in snapshot.apiKeys { try await insert(key, on: connection) }
            if !snapshot.revokedKeyIDs.isEmpty {
                try await connection.execute(
                    """
                    UPDATE \(unsafeSQL: schema).api_keys SET revoked_at = now()
                    WHERE key_id = ANY(\(array: snapshot.revokedKeyIDs)::text[]) AND revoked_at IS NULL
                    """)
            }
            try await connection.execute(
                """
                INSERT INTO \(unsafeSQL: schema).snapshot_state (name, loaded_at) VALUES ('tenants', now())
                ON CONFLICT (name) DO UPDATE SET loaded_at = now()
                """)
        }
    }

    /// The field a decoding error is about, without the offending value.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "invalid \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: "invalid payload"
        }
    }
}

/// Fills an empty copy from payments' `GET /internal/snapshot/tenants` before events are relied on
/// (DESIGN.md). Retries in the background until payments answers.
public struct TenancySnapshotLoader: Sendable {
    let replica: TenancyReplica
    let database: PostgresPool
    let client: InternalClient
    let paymentsURL: String
    let logger: Logger
    let onLoaded: @Sendable () -> Void

    public init(
        replica: TenancyReplica, database: PostgresPool, client: InternalClient, paymentsURL: String, logger: Logger,
        onLoaded: @escaping @Sendable () -> Void = {}
    ) {
        self.replica = replica
        self.database = database
        self.client = client
        self.paymentsURL = paymentsURL
        self.logger = logger
        self.onLoaded = onLoaded
    }

    public func loadIfEmpty() async {
        guard await !replica.isLoaded(database) else { return }
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let snapshot = try await client.get(
                    paymentsURL + "/internal/snapshot/tenants", from: "payments", as: TenancySnapshot.self)
                try await replica.load(snapshot, into: database)
                onLoaded()
                logger.info(
                    "tenancy snapshot loaded",
                    [
                        "tenants": .int(Int64(snapshot.tenants.count)),
                        "connectors": .int(Int64(snapshot.connectors.count)),
                    ])
                return
            } catch {
                if attempt == 1 || attempt % 20 == 0 {
                    logger.warning(
                        "tenancy snapshot not available yet; retrying",
                        [
                            "error": .string("\(error)"),
                            "attempt": .int(Int64(attempt)),
                        ])
                }
                try? await Task.sleep(for: .seconds(min(30, attempt)))
            }
        }
    }
}
