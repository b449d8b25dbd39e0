import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// Tenants, their API keys and settings. Every change is audited and published (`tenant.upserted`,
/// `api_key.created`, `api_key.revoked`) in the same transaction.
struct TenantStore: Sendable {
    let database: PostgresPool
    let events: TenancyEvents
    let audit: AuditLog

    struct CreatedKey: Sendable {
        let id: String
        let tenantID: String
        let secret: String
        let prefix: String
        let role: APIKeyRole
        let livemode: Bool
        let createdAt: Date

        var json: JSONValue {
            ["id": .string(id), "object": "api_key", "tenant_id": .string(tenantID), "secret": .string(secret), "prefix": .string(prefix), "role": .string(role.rawValue),
             "livemode": .bool(livemode), "created": .string(Timestamp.rfc3339(createdAt))]
        }
    }

    /// A new tenant with its first key (shown once).
    func createTenant(name: String, settings: TenantSettings, keyMode livemode: Bool, actor: String,
                      correlationID: String) async throws -> (JSONValue, CreatedKey) {
        let tenantID = CofferID.generate(.tenant)
        let version = Timestamp.nextVersion()
        return try await database.tenantTransaction(tenantID) { connection in
            try await connection.execute("""
                INSERT INTO payments.tenants (id, name, settings, version) VALUES (\(tenantID), \(name), \(settings.json.jsonString)::jsonb, \(version))
                """)
            try await events.tenantUpserted(id: tenantID, name: name, status: "active", settings: settings, version: version,
                                            correlationID: correlationID, on: connection)
            let tenant = Self.tenantJSON(id: tenantID, name: name, status: "active", settings: settings, created: Date())
            try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "tenant.created", objectType: "tenant",
                                              objectID: tenantID, before: nil, after: tenant, correlationID: correlationID), on: connection)
            let key = try await insertKey(tenantID: tenantID, role: .full, livemode: livemode, actor: actor, correlationID: correlationID,
                                          on: connection)
            return (tenant, key)
        }
    }

    func createKey(tenantID: String, role: APIKeyRole, livemode: Bool, actor: String, correlationID: String) async throws -> CreatedKey {
        try await database.tenantTransaction(tenantID) { connection in
            guard try await !connection.query("SELECT 1 FROM payments.tenants WHERE id = \(tenantID)").isEmpty else {
                throw HTTPError.notFound("No such tenant.", param: "id")
            }
            return try await insertKey(tenantID: tenantID, role: role, livemode: livemode, actor: actor, correlationID: correlationID,
                                       on: connection)
        }
    }

    private func insertKey(tenantID: String, role: APIKeyRole, livemode: Bool, actor: String, correlationID: String,
                           on connection: PostgresConnection) async throws -> CreatedKey {
        let material = APIKeyMaterial.generate(livemode: livemode)
        let id = CofferID.generate(.apiKey)
        let now = Date()
        try await connection.execute("""
            INSERT INTO payments.api_keys (id, tenant_id, key_hash, prefix, role, mode, created_by, created_at)
            VALUES (\(id), \(tenantID), \(material.hash), \(material.prefix), \(role.rawValue), \(livemode ? "live" : "test"), \(actor), \(now))
            """)
        try await events.apiKeyCreated(
            APIKeyCreated(keyID: id, tenantID: tenantID, keyHash: material.hash, prefix: material.prefix, role: role.rawValue,
                          mode: livemode ? "live" : "test", createdAt: now),
            correlationID: correlationID, on: connection)
        try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "api_key.created", objectType: "api_key", objectID: id,
                                          before: nil, after: ["prefix": .string(material.prefix), "role": .string(role.rawValue),
                                                               "mode": .string(livemode ? "live" : "test")],
                                          correlationID: correlationID), on: connection)
        return CreatedKey(id: id, tenantID: tenantID, secret: material.secret, prefix: material.prefix, role: role, livemode: livemode, createdAt: now)
    }

    /// Revokes a key (idempotent). Returns nil when there is no such key.
    func revokeKey(_ keyID: String, actor: String, correlationID: String) async throws -> JSONValue? {
        try await database.platformTransaction { connection -> JSONValue? in
            guard let row = try await connection.query("""
                SELECT tenant_id, prefix, role, mode, revoked_at FROM payments.api_keys WHERE id = \(keyID) FOR UPDATE
                """).first
            else { return nil }
            let (tenantID, prefix, role, mode, revokedAt) = try row.decode((String, String, String, String, Date?).self)
            var when = revokedAt ?? Date()
            if revokedAt == nil {
                when = Date()
                try await connection.execute("UPDATE payments.api_keys SET revoked_at = \(when) WHERE id = \(keyID)")
                try await events.apiKeyRevoked(APIKeyRevoked(keyID: keyID, tenantID: tenantID, revokedAt: when), correlationID: correlationID,
                                               on: connection)
                try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "api_key.revoked", objectType: "api_key",
                                                  objectID: keyID, before: nil, after: ["revoked": true], correlationID: correlationID),
                                       on: connection)
            }
            return ["id": .string(keyID), "object": "api_key", "tenant_id": .string(tenantID), "prefix": .string(prefix),
                    "role": .string(role), "livemode": .bool(mode == "live"), "revoked": .string(Timestamp.rfc3339(when))]
        }
    }

    /// Tenants for operators, newest first.
    func listTenants(limit: Int, startingAfter: String?) async throws -> [UInt8] {
        let rows = try await database.platformTransaction { connection in
            try await connection.query("""
                SELECT id, name, status, settings::text, created_at FROM payments.tenants
                WHERE (\(startingAfter)::text IS NULL OR id < \(startingAfter))
                ORDER BY id DESC LIMIT \(Int64(limit + 1))
                """).map(Self.tenantJSON(row:))
        }
        return ListParameters.page(Array(rows.prefix(limit)), hasMore: rows.count > limit)
    }

    func tenant(_ tenantID: String) async throws -> JSONValue {
        try await database.tenantTransaction(tenantID) { connection in
            guard let row = try await connection.query("""
                SELECT id, name, status, settings::text, created_at FROM payments.tenants WHERE id = \(tenantID)
                """).first
            else { throw HTTPError.notFound("No such tenant.", param: "id") }
            return try Self.tenantJSON(row: row)
        }
    }

    /// Renames or suspends (`suspended`: every key of the tenant stops working) or reactivates a tenant.
    func updateTenant(_ tenantID: String, name newName: String?, status newStatus: String?, actor: String,
                      correlationID: String) async throws -> JSONValue {
        try await database.tenantTransaction(tenantID) { connection in
            guard let row = try await connection.query("""
                SELECT name, status, settings::text, version, created_at FROM payments.tenants WHERE id = \(tenantID) FOR UPDATE
                """).first
            else { throw HTTPError.notFound("No such tenant.", param: "id") }
            let (name, status, settingsText, version, created) = try row.decode((String, String, String, Int64, Date).self)
            let settings = try TenantSettings(json: JSONValue.parse(settingsText))
            let before = Self.tenantJSON(id: tenantID, name: name, status: status, settings: settings, created: created)
            let updatedName = newName ?? name, updatedStatus = newStatus ?? status
            guard updatedName != name || updatedStatus != status else { return before }
            let newVersion = Timestamp.nextVersion(after: version)
            try await connection.execute("""
                UPDATE payments.tenants SET name = \(updatedName), status = \(updatedStatus), version = \(newVersion), updated_at = now()
                WHERE id = \(tenantID)
                """)
            try await events.tenantUpserted(id: tenantID, name: updatedName, status: updatedStatus, settings: settings, version: newVersion,
                                            correlationID: correlationID, on: connection)
            let after = Self.tenantJSON(id: tenantID, name: updatedName, status: updatedStatus, settings: settings, created: created)
            try await audit.record(AuditEntry(tenantID: tenantID, actor: actor,
                                              action: updatedStatus != status ? "tenant.\(updatedStatus == "suspended" ? "suspended" : "reactivated")"
                                                  : "tenant.renamed",
                                              objectType: "tenant", objectID: tenantID, before: before, after: after, correlationID: correlationID),
                                   on: connection)
            return after
        }
    }

    func settings(tenantID: String) async throws -> TenantSettings {
        try await database.tenantTransaction(tenantID) { connection in
            guard let text = try await connection.query("SELECT settings::text FROM payments.tenants WHERE id = \(tenantID)").first?
                .decode(String.self, at: 0)
            else { throw HTTPError.notFound("No such tenant.") }
            return try TenantSettings(json: JSONValue.parse(text))
        }
    }

    /// Applies a JSON merge patch to the settings, validates the result, audits and publishes it.
    func updateSettings(tenantID: String, patch: JSONValue, actor: String, correlationID: String) async throws -> TenantSettings {
        try await database.tenantTransaction(tenantID) { connection in
            guard let row = try await connection.query("""
                SELECT name, status, settings::text, version FROM payments.tenants WHERE id = \(tenantID) FOR UPDATE
                """).first
            else { throw HTTPError.notFound("No such tenant.") }
            let (name, status, settingsText, version) = try row.decode((String, String, String, Int64).self)
            let before = try JSONValue.parse(settingsText)
            let updated: TenantSettings
            do {
                updated = try TenantSettings(json: TenantSettings.mergePatch(before, patch))
            } catch let error as SettingsError {
                throw HTTPError.badRequest("Invalid setting: \(error.message)", code: "invalid_setting", param: error.param)
            }
            let newVersion = Timestamp.nextVersion(after: version)
            try await connection.execute("""
                UPDATE payments.tenants SET settings = \(updated.json.jsonString)::jsonb, version = \(newVersion), updated_at = now()
                WHERE id = \(tenantID)
                """)
            try await events.tenantUpserted(id: tenantID, name: name, status: status, settings: updated, version: newVersion,
                                            correlationID: correlationID, on: connection)
            try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "settings.updated", objectType: "settings",
                                              objectID: tenantID, before: before, after: updated.json, correlationID: correlationID),
                                   on: connection)
            return updated
        }
    }

    static func tenantJSON(row: PostgresRow) throws -> JSONValue {
        let (id, name, status, settingsText, created) = try row.decode((String, String, String, String, Date).self)
        return tenantJSON(id: id, name: name, status: status, settings: try TenantSettings(json: JSONValue.parse(settingsText)), created: created)
    }

    static func tenantJSON(id: String, name: String, status: String, settings: TenantSettings, created: Date) -> JSONValue {
        ["id": .string(id), "object": "tenant", "name": .string(name), "status": .string(status), "settings": settings.json,
         "created": .string(Timestamp.rfc3339(created))]
    }
}
