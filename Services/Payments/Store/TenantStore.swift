import Contracts
import Foundation
import Postgres
import Shared

/// Every statement about `payments.tenants`, `payments.api_keys` and `payments.settings_changes`.
struct TenantStore: Sendable {
    struct TenantRow: Sendable {
        let id: String
        let name: String
        let status: String
        let settingsJSON: JSONValue
        let version: Int64
        let createdAt: Date

        /// The stored settings; an error when they do not read (an operator must fix them).
        func settings() throws(SettingsError) -> TenantSettings { try TenantSettings(json: settingsJSON) }
    }

    @inline(never)
    static func tenant(_ row: PostgresRow) throws -> TenantRow {
        TenantRow(
            id: try row.decode(String.self, column: "id"), name: try row.decode(String.self, column: "name"),
            status: try row.decode(String.self, column: "status"),
            settingsJSON: try JSONValue.parse(try row.decode(String.self, column: "settings")),
            version: try row.decode(Int64.self, column: "version"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }

    static let tenantColumns = "id, name, status, settings::text AS settings, version, created_at"

    func insertTenant(
        id: String, name: String, settings: TenantSettings, version: Int64, on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO payments.tenants (id, name, settings, version) VALUES (\(id), \(name), \(settings.json.jsonString)::jsonb, \(version))
            """)
    }

    func tenant(_ id: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> TenantRow? {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.tenantColumns) FROM payments.tenants WHERE id = \(id) \(unsafeSQL: forUpdate ? "FOR UPDATE" : "")
            """
        ).first.map(Self.tenant)
    }

    func tenants(limit: Int, startingAfter: String?, on connection: PostgresConnection) async throws -> [TenantRow] {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.tenantColumns) FROM payments.tenants
            WHERE (\(startingAfter)::text IS NULL OR id < \(startingAfter))
            ORDER BY id DESC LIMIT \(Int64(limit))
            """
        ).map(Self.tenant)
    }

    func updateTenant(_ id: String, name: String, status: String, version: Int64, on connection: PostgresConnection)
        async throws
    {
        try await connection.execute(
            """
            UPDATE payments.tenants SET name = \(name), status = \(status), version = \(version), updated_at = now() WHERE id = \(id)
            """)
    }

    func updateSettings(_ id: String, settings: TenantSettings, version: Int64, on connection: PostgresConnection)
        async throws
    {
        try await connection.execute(
            """
            UPDATE payments.tenants SET settings = \(settings.json.jsonString)::jsonb, version = \(version), updated_at = now() WHERE id = \(id)
            """)
    }

    /// The tenant's settings; nil for an unknown tenant.
    func settings(tenantID: String, on connection: PostgresConnection) async throws -> TenantSettings? {
        try await connection.query("SELECT settings::text FROM payments.tenants WHERE id = \(tenantID)").first
            .map { try TenantSettings(json: JSONValue.parse(try $0.decode(String.self, at: 0))) }
    }

    // MARK: API keys

    func insertKey(_ key: APIKeyCreated, createdBy: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO payments.api_keys (id, tenant_id, key_hash, prefix, role, mode, created_by, created_at)
            VALUES (\(key.keyID), \(key.tenantID), \(key.keyHash), \(key.prefix), \(key.role), \(key.mode), \(createdBy), \(key.createdAt))
            """)
    }

    struct KeyRow: Sendable {
        let tenantID: String
        let prefix: String
        let role: String
        let mode: String
        let revokedAt: Date?
    }

    func lockKey(_ id: String, on connection: PostgresConnection) async throws -> KeyRow? {
        guard
            let row = try await connection.query(
                """
                SELECT tenant_id, prefix, role, mode, revoked_at FROM payments.api_keys WHERE id = \(id) FOR UPDATE
                """
            ).first
        else { return nil }
        let (tenantID, prefix, role, mode, revokedAt) = try row.decode((String, String, String, String, Date?).self)
        return KeyRow(tenantID: tenantID, prefix: prefix, role: role, mode: mode, revokedAt: revokedAt)
    }

    func revokeKey(_ id: String, at when: Date, on connection: PostgresConnection) async throws {
        try await connection.execute("UPDATE payments.api_keys SET revoked_at = \(when) WHERE id = \(id)")
    }

    // MARK: Settings changes

    static let changeColumns = """
        c.id, c.tenant_id, c.before::text AS before, c.after::text AS after, c.loosened, c.status, c.requested_by, c.decided_by, c.created_at,
        c.expires_at, c.expires_at < now() AS expired
        """

    @inline(never)
    static func change(_ row: PostgresRow) throws -> SettingsChange {
        SettingsChange(
            id: try row.decode(String.self, column: "id"), tenantID: try row.decode(String.self, column: "tenant_id"),
            before: try JSONValue.parse(try row.decode(String.self, column: "before")),
            after: try JSONValue.parse(try row.decode(String.self, column: "after")),
            loosened: try row.decode([String].self, column: "loosened"),
            status: try row.decode(String.self, column: "status"),
            requestedBy: try row.decode(String.self, column: "requested_by"),
            decidedBy: try row.decode(String?.self, column: "decided_by"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            expiresAt: try row.decode(Date.self, column: "expires_at"),
            expired: try row.decode(Bool.self, column: "expired"))
    }

    func insertChange(
        id: String, tenantID: String, before: TenantSettings, after: TenantSettings, loosened: [String],
        requestedBy: String,
        window: Duration, on connection: PostgresConnection
    ) async throws -> SettingsChange {
        guard
            let row = try await connection.query(
                """
                INSERT INTO payments.settings_changes AS c (id, tenant_id, before, after, loosened, status, requested_by, expires_at)
                VALUES (\(id), \(tenantID), \(before.json.jsonString)::jsonb, \(after.json.jsonString)::jsonb, \(array: loosened)::text[],
                        'pending_approval', \(requestedBy), now() + make_interval(secs => \(window.components.seconds)))
                RETURNING \(unsafeSQL: Self.changeColumns)
                """
            ).first
        else { throw DomainError.internalFailure("settings change insert returned nothing") }
        return try Self.change(row)
    }

    func lockChange(_ id: String, tenantID: String, on connection: PostgresConnection) async throws -> SettingsChange? {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.changeColumns) FROM payments.settings_changes c WHERE c.id = \(id) AND c.tenant_id = \(tenantID) FOR UPDATE
            """
        ).first.map(Self.change)
    }

    func decideChange(_ id: String, status: String, by actor: String, on connection: PostgresConnection) async throws
        -> SettingsChange
    {
        guard
            let row = try await connection.query(
                """
                UPDATE payments.settings_changes c SET status = \(status), decided_by = \(actor), decided_at = now() WHERE c.id = \(id)
                RETURNING \(unsafeSQL: Self.changeColumns)
                """
            ).first
        else { throw DomainError.internalFailure("settings change \(id) vanished") }
        return try Self.change(row)
    }

    func changes(tenantID: String, limit: Int, on connection: PostgresConnection) async throws -> [SettingsChange] {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.changeColumns) FROM payments.settings_changes c WHERE c.tenant_id = \(tenantID)
            ORDER BY c.created_at DESC, c.id DESC LIMIT \(Int64(limit))
            """
        ).map(Self.change)
    }
}
