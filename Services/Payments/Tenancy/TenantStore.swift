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
    /// A settings change's outcome: applied at once (it only tightens), or waiting for a second key.
    enum SettingsOutcome: Sendable {
        case applied(TenantSettings)
        case pending(JSONValue)
    }

    /// How long a change that loosens a control waits for its approval.
    static let approvalWindow: Duration = .seconds(24 * 3600)

    /// `PATCH /v1/settings`: a change that only tightens (or is neutral) applies now; one that loosens a
    /// control (`TenantSettings.loosenedFields`) is recorded as a settings change (`sc_…`) pending approval
    /// by a different live key with the `full` or `approver` role, or by an operator.
    func proposeSettings(tenantID: String, patch: JSONValue, actor: String, correlationID: String) async throws -> SettingsOutcome {
        try await database.tenantTransaction(tenantID) { connection in
            let (current, settings, _, _, _) = try await lockSettings(tenantID, on: connection)
            let updated: TenantSettings
            do {
                updated = try TenantSettings(json: TenantSettings.mergePatch(current, patch))
            } catch let error as SettingsError {
                throw HTTPError.badRequest("Invalid setting: \(error.message)", code: "invalid_setting", param: error.param)
            }
            let loosened = settings.loosenedFields(by: updated)
            guard !loosened.isEmpty else {
                try await apply(updated, tenantID: tenantID, actor: actor, action: "settings.updated", correlationID: correlationID, on: connection)
                return .applied(updated)
            }
            let changeID = CofferID.generate(.settingsChange)
            guard let row = try await connection.query("""
                INSERT INTO payments.settings_changes AS c (id, tenant_id, before, after, loosened, status, requested_by, expires_at)
                VALUES (\(changeID), \(tenantID), \(settings.json.jsonString)::jsonb, \(updated.json.jsonString)::jsonb,
                        \(array: loosened)::text[], 'pending_approval', \(actor), now() + make_interval(secs => \(Self.approvalWindow.components.seconds)))
                RETURNING \(unsafeSQL: Self.changeColumns)
                """).first else { throw HTTPError.internalError() }
            let change = try Self.changeJSON(row)
            try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "settings.change_requested", objectType: "settings_change",
                                              objectID: changeID, before: settings.json, after: change, correlationID: correlationID),
                                   on: connection)
            return .pending(change)
        }
    }

    /// Approves a pending settings change: by a different live key with an approving role (`actor` is
    /// its id) or an operator (`operator:<name>`). Applies exactly the settings that were asked for, and
    /// only if the settings are still those the change was made against.
    func approveSettingsChange(_ changeID: String, tenantID: String, actor: String, correlationID: String) async throws -> JSONValue {
        try await database.tenantTransaction(tenantID) { connection in
            guard CofferID.isValid(changeID, prefix: .settingsChange),
                  let row = try await connection.query("""
                      SELECT \(unsafeSQL: Self.changeColumns) FROM payments.settings_changes c WHERE c.id = \(changeID) AND c.tenant_id = \(tenantID)
                      FOR UPDATE
                      """).first
            else { throw HTTPError.notFound("No such settings change: \(changeID)", param: "id") }
            let change = try Self.changeJSON(row)
            try Self.checkDecidable(change, actor: actor)
            let (_, settings, _, _, _) = try await lockSettings(tenantID, on: connection)
            guard let before = change["before"], settings.json == before else {
                throw HTTPError.conflict("The settings changed after this change was asked for; ask again.", code: "settings_changed_since")
            }
            guard let afterJSON = change["after"], let after = try? TenantSettings(json: afterJSON) else { throw HTTPError.internalError() }
            try await apply(after, tenantID: tenantID, actor: actor, action: "settings.change_approved", correlationID: correlationID,
                            on: connection)
            guard let decided = try await connection.query("""
                UPDATE payments.settings_changes c SET status = 'applied', decided_by = \(actor), decided_at = now() WHERE c.id = \(changeID)
                RETURNING \(unsafeSQL: Self.changeColumns)
                """).first else { throw HTTPError.internalError() }
            return try Self.changeJSON(decided)
        }
    }

    /// Withdraws (by the requester) or declines (by an approver) a pending settings change.
    func cancelSettingsChange(_ changeID: String, tenantID: String, actor: String, correlationID: String) async throws -> JSONValue {
        try await database.tenantTransaction(tenantID) { connection in
            guard CofferID.isValid(changeID, prefix: .settingsChange),
                  let row = try await connection.query("""
                      UPDATE payments.settings_changes c SET status = 'canceled', decided_by = \(actor), decided_at = now()
                      WHERE c.id = \(changeID) AND c.tenant_id = \(tenantID) AND c.status = 'pending_approval'
                      RETURNING \(unsafeSQL: Self.changeColumns)
                      """).first
            else {
                // An id the tenant does not have is a 404 like any other; one that is decided already, a 409.
                var exists = false
                if CofferID.isValid(changeID, prefix: .settingsChange) {
                    exists = try await connection.query("""
                        SELECT 1 FROM payments.settings_changes c WHERE c.id = \(changeID) AND c.tenant_id = \(tenantID)
                        """).first != nil
                }
                guard exists else { throw HTTPError.notFound("No such settings change: \(changeID)", param: "id") }
                throw HTTPError.conflict("The settings change \(changeID) is no longer pending.", code: "invalid_state")
            }
            let change = try Self.changeJSON(row)
            try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "settings.change_canceled", objectType: "settings_change",
                                              objectID: changeID, before: nil, after: change, correlationID: correlationID), on: connection)
            return change
        }
    }

    func settingsChanges(tenantID: String, limit: Int) async throws -> [JSONValue] {
        try await database.tenantTransaction(tenantID) { connection in
            try await connection.query("""
                SELECT \(unsafeSQL: Self.changeColumns) FROM payments.settings_changes c WHERE c.tenant_id = \(tenantID)
                ORDER BY c.created_at DESC, c.id DESC LIMIT \(Int64(limit))
                """).map(Self.changeJSON)
        }
    }

    /// A change may be decided while pending and unexpired, by someone other than who asked for it.
    static func checkDecidable(_ change: JSONValue, actor: String) throws(HTTPError) {
        guard change["status"]?.stringValue == "pending_approval" else {
            throw HTTPError.conflict("This change is \(change["status"]?.stringValue ?? "?"); only a pending change can be approved.",
                                     code: "invalid_state")
        }
        guard change["expired"]?.boolValue != true else {
            throw HTTPError.conflict("This change expired without an approval; ask again.", code: "change_expired")
        }
        guard change["requested_by"]?.stringValue != actor else {
            throw HTTPError.forbidden("A change that loosens a control is approved by a different key or an operator.",
                                      code: "approver_must_differ")
        }
    }

    static let changeColumns = """
        c.id, c.tenant_id, c.before::text, c.after::text, c.loosened, c.status, c.requested_by, c.decided_by, c.created_at, c.expires_at,
        c.expires_at < now()
        """

    static func changeJSON(_ row: PostgresRow) throws -> JSONValue {
        let (id, tenant, before, after, loosened, status, requestedBy, decidedBy, created, expires, expired) =
            try row.decode((String, String, String, String, [String], String, String, String?, Date, Date, Bool).self)
        return ["id": .string(id), "object": "settings_change", "tenant_id": .string(tenant), "status": .string(status),
                "loosened": .array(loosened.map(JSONValue.string)), "before": try JSONValue.parse(before), "after": try JSONValue.parse(after),
                "requested_by": .string(requestedBy), "decided_by": decidedBy.map(JSONValue.string) ?? .null,
                "created": .string(Timestamp.rfc3339(created)), "expires_at": .string(Timestamp.rfc3339(expires)),
                "expired": .bool(expired && status == "pending_approval")]
    }

    private func lockSettings(_ tenantID: String, on connection: PostgresConnection) async throws
        -> (json: JSONValue, settings: TenantSettings, name: String, status: String, version: Int64) {
        guard let row = try await connection.query("""
            SELECT name, status, settings::text, version FROM payments.tenants WHERE id = \(tenantID) FOR UPDATE
            """).first
        else { throw HTTPError.notFound("No such tenant.") }
        let (name, status, settingsText, version) = try row.decode((String, String, String, Int64).self)
        let json = try JSONValue.parse(settingsText)
        let settings: TenantSettings
        do { settings = try TenantSettings(json: json) } catch {
            throw HTTPError.conflict("The stored settings do not read (\(error.description)); an operator must fix them.", code: "invalid_setting")
        }
        return (json, settings, name, status, version)
    }

    private func apply(_ updated: TenantSettings, tenantID: String, actor: String, action: String, correlationID: String,
                       on connection: PostgresConnection) async throws {
        let (before, _, name, status, version) = try await lockSettings(tenantID, on: connection)
        let newVersion = Timestamp.nextVersion(after: version)
        try await connection.execute("""
            UPDATE payments.tenants SET settings = \(updated.json.jsonString)::jsonb, version = \(newVersion), updated_at = now()
            WHERE id = \(tenantID)
            """)
        try await events.tenantUpserted(id: tenantID, name: name, status: status, settings: updated, version: newVersion,
                                        correlationID: correlationID, on: connection)
        try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: action, objectType: "settings",
                                          objectID: tenantID, before: before, after: updated.json, correlationID: correlationID),
                               on: connection)
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
