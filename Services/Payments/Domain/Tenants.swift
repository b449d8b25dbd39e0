import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Tenants, their API keys and settings. Every change is audited and published (`tenant.upserted`,
/// `api_key.created`, `api_key.revoked`) in the same unit of work. Settings govern live money: a change
/// that loosens a control waits for a second key (or an operator) to approve it.
struct Tenants: Sendable {
    let work: UnitOfWork
    let store = TenantStore()

    struct CreatedKey: Sendable {
        let id: String
        let tenantID: String
        let secret: String
        let prefix: String
        let role: APIKeyRole
        let livemode: Bool
        let createdAt: Date

        var json: JSONValue {
            [
                "id": .string(id), "object": "api_key", "tenant_id": .string(tenantID), "secret": .string(secret),
                "prefix": .string(prefix),
                "role": .string(role.rawValue), "livemode": .bool(livemode),
                "created": .string(Timestamp.rfc3339(createdAt)),
            ]
        }
    }

    static func json(_ tenant: TenantStore.TenantRow) -> JSONValue {
        json(
            id: tenant.id, name: tenant.name, status: tenant.status, settings: tenant.settingsJSON,
            created: tenant.createdAt)
    }

    static func json(id: String, name: String, status: String, settings: JSONValue, created: Date) -> JSONValue {
        [
            "id": .string(id), "object": "tenant", "name": .string(name), "status": .string(status),
            "settings": settings,
            "created": .string(Timestamp.rfc3339(created)),
        ]
    }

    /// A new tenant with its first key (shown once).
    func createTenant(name: String, settings: TenantSettings, keyMode livemode: Bool, _ request: WorkRequest)
        async throws -> (JSONValue, CreatedKey)
    {
        let tenantID = CofferID.generate(.tenant)
        let version = Timestamp.nextVersion()
        let scoped = WorkRequest(
            tenantID: tenantID, actor: request.actor, correlationID: request.correlationID, claim: request.claim)
        return try await work.run(scoped) { work in
            try await store.insertTenant(
                id: tenantID, name: name, settings: settings, version: version, on: work.connection)
            try publishTenant(
                id: tenantID, name: name, status: "active", settings: settings.json, version: version, in: &work)
            let tenant = Self.json(id: tenantID, name: name, status: "active", settings: settings.json, created: Date())
            work.audit("tenant.created", objectType: "tenant", objectID: tenantID, before: nil, after: tenant)
            let key = try await insertKey(tenantID: tenantID, role: .full, livemode: livemode, in: &work)
            return (tenant, key)
        }.value
    }

    func createKey(tenantID: String, role: APIKeyRole, livemode: Bool, _ request: WorkRequest) async throws
        -> CreatedKey
    {
        try await work.run(request) { work in
            guard try await store.tenant(tenantID, on: work.connection) != nil else {
                throw DomainError.notFound("No such tenant.", param: "id")
            }
            return try await insertKey(tenantID: tenantID, role: role, livemode: livemode, in: &work)
        }.value
    }

    private func insertKey(tenantID: String, role: APIKeyRole, livemode: Bool, in work: inout Work) async throws
        -> CreatedKey
    {
        let material = APIKeyMaterial.generate(livemode: livemode)
        let key = APIKeyCreated(
            keyID: CofferID.generate(.apiKey), tenantID: tenantID, keyHash: material.hash, prefix: material.prefix,
            role: role.rawValue, mode: livemode ? "live" : "test", createdAt: Date())
        try await store.insertKey(key, createdBy: work.request.actor, on: work.connection)
        try work.publish(TenancyEventType.apiKeyCreated, payload: key, orderingKey: key.keyID, tenantID: tenantID)
        work.audit(
            "api_key.created", objectType: "api_key", objectID: key.keyID, before: nil,
            after: ["prefix": .string(material.prefix), "role": .string(role.rawValue), "mode": .string(key.mode)],
            tenantID: tenantID)
        return CreatedKey(
            id: key.keyID, tenantID: tenantID, secret: material.secret, prefix: material.prefix, role: role,
            livemode: livemode,
            createdAt: key.createdAt)
    }

    /// Revokes a key (idempotent). Nil when there is no such key.
    func revokeKey(_ keyID: String, actor: String, correlationID: String) async throws -> JSONValue? {
        try await work.runAcrossTenants(actor: actor, correlationID: correlationID) { work -> JSONValue? in
            guard let key = try await store.lockKey(keyID, on: work.connection) else { return nil }
            var when = key.revokedAt ?? Date()
            if key.revokedAt == nil {
                when = Date()
                try await store.revokeKey(keyID, at: when, on: work.connection)
                try work.publish(
                    TenancyEventType.apiKeyRevoked,
                    payload: APIKeyRevoked(keyID: keyID, tenantID: key.tenantID, revokedAt: when),
                    orderingKey: keyID, tenantID: key.tenantID)
                work.audit(
                    "api_key.revoked", objectType: "api_key", objectID: keyID, before: nil, after: ["revoked": true],
                    tenantID: key.tenantID)
            }
            return [
                "id": .string(keyID), "object": "api_key", "tenant_id": .string(key.tenantID),
                "prefix": .string(key.prefix),
                "role": .string(key.role), "livemode": .bool(key.mode == "live"),
                "revoked": .string(Timestamp.rfc3339(when)),
            ]
        }
    }

    /// Tenants for operators, newest first.
    func listTenants(limit: Int, startingAfter: String?) async throws -> (tenants: [JSONValue], hasMore: Bool) {
        let rows = try await work.database.platformTransaction { connection in
            try await store.tenants(limit: limit + 1, startingAfter: startingAfter, on: connection)
        }
        return (rows.prefix(limit).map(Self.json), rows.count > limit)
    }

    func tenant(_ tenantID: String) async throws -> JSONValue {
        try await work.database.tenantTransaction(tenantID) { connection in
            guard let tenant = try await store.tenant(tenantID, on: connection) else {
                throw DomainError.notFound("No such tenant.", param: "id")
            }
            return Self.json(tenant)
        }
    }

    /// Renames or suspends (`suspended`: every key of the tenant stops working) or reactivates a tenant.
    func updateTenant(_ tenantID: String, name newName: String?, status newStatus: String?, _ request: WorkRequest)
        async throws -> JSONValue
    {
        try await work.run(request) { work in
            guard let tenant = try await store.tenant(tenantID, forUpdate: true, on: work.connection) else {
                throw DomainError.notFound("No such tenant.", param: "id")
            }
            let before = Self.json(tenant)
            let updatedName = newName ?? tenant.name, updatedStatus = newStatus ?? tenant.status
            guard updatedName != tenant.name || updatedStatus != tenant.status else { return before }
            let version = Timestamp.nextVersion(after: tenant.version)
            try await store.updateTenant(
                tenantID, name: updatedName, status: updatedStatus, version: version, on: work.connection)
            try publishTenant(
                id: tenantID, name: updatedName, status: updatedStatus, settings: tenant.settingsJSON, version: version,
                in: &work)
            let after = Self.json(
                id: tenantID, name: updatedName, status: updatedStatus, settings: tenant.settingsJSON,
                created: tenant.createdAt)
            let action =
                updatedStatus != tenant.status
                ? "tenant.\(updatedStatus == "suspended" ? "suspended" : "reactivated")" : "tenant.renamed"
            work.audit(action, objectType: "tenant", objectID: tenantID, before: before, after: after)
            return after
        }.value
    }

    func settings(tenantID: String) async throws -> TenantSettings {
        try await work.database.tenantTransaction(tenantID) { connection in
            guard let settings = try await store.settings(tenantID: tenantID, on: connection) else {
                throw DomainError.notFound("No such tenant.")
            }
            return settings
        }
    }

    // MARK: Settings changes

    /// A settings change's outcome: applied at once (it only tightens), or waiting for a second key.
    enum SettingsOutcome: Sendable {
        case applied(TenantSettings)
        case pending(SettingsChange)
    }

    /// How long a change that loosens a control waits for its approval.
    static let approvalWindow: Duration = .seconds(24 * 3600)

    /// `PATCH /v1/settings`: a change that only tightens (or is neutral) applies now; one that loosens a
    /// control (`TenantSettings.loosenedFields`) is recorded as a settings change (`sc_…`) pending approval
    /// by a different live key with the `full` or `approver` role, or by an operator.
    func proposeSettings(tenantID: String, patch: JSONValue, _ request: WorkRequest) async throws -> SettingsOutcome {
        try await work.run(request) { work in
            let tenant = try await lockTenant(tenantID, on: work.connection)
            let settings = try Self.settings(of: tenant)
            let updated: TenantSettings
            do {
                updated = try TenantSettings(json: TenantSettings.mergePatch(tenant.settingsJSON, patch))
            } catch let error as SettingsError {
                throw DomainError.invalid(
                    "Invalid setting: \(error.message)", code: "invalid_setting", param: error.param)
            }
            let loosened = settings.loosenedFields(by: updated)
            guard !loosened.isEmpty else {
                try await apply(updated, to: tenant, action: "settings.updated", in: &work)
                return .applied(updated)
            }
            let change = try await store.insertChange(
                id: CofferID.generate(.settingsChange), tenantID: tenantID, before: settings, after: updated,
                loosened: loosened, requestedBy: request.actor, window: Self.approvalWindow,
                on: work.connection)
            work.audit(
                "settings.change_requested", objectType: "settings_change", objectID: change.id, before: settings.json,
                after: change.json)
            return .pending(change)
        }.value
    }

    /// Approves a pending settings change: by a different live key with an approving role (`actor` is its
    /// id) or an operator (`operator:<name>`). Applies exactly the settings that were asked for, and only
    /// if the settings are still those the change was made against.
    func approveSettingsChange(_ changeID: String, tenantID: String, _ request: WorkRequest) async throws
        -> SettingsChange
    {
        try await work.run(request) { work in
            guard CofferID.isValid(changeID, prefix: .settingsChange),
                let change = try await store.lockChange(changeID, tenantID: tenantID, on: work.connection)
            else { throw DomainError.notFound("No such settings change: \(changeID)", param: "id") }
            try change.checkDecidable(by: request.actor)
            let tenant = try await lockTenant(tenantID, on: work.connection)
            guard try Self.settings(of: tenant).json == change.before else {
                throw DomainError.conflict(
                    "The settings changed after this change was asked for; ask again.", code: "settings_changed_since")
            }
            guard let after = try? TenantSettings(json: change.after) else {
                throw DomainError.internalFailure("a stored settings change does not read")
            }
            try await apply(after, to: tenant, action: "settings.change_approved", in: &work)
            return try await store.decideChange(changeID, status: "applied", by: request.actor, on: work.connection)
        }.value
    }

    /// Withdraws (by the requester) or declines (by an approver) a pending settings change.
    func cancelSettingsChange(_ changeID: String, tenantID: String, _ request: WorkRequest) async throws
        -> SettingsChange
    {
        try await work.run(request) { work in
            guard CofferID.isValid(changeID, prefix: .settingsChange),
                let change = try await store.lockChange(changeID, tenantID: tenantID, on: work.connection)
            else { throw DomainError.notFound("No such settings change: \(changeID)", param: "id") }
            guard change.status == "pending_approval" else {
                throw DomainError.conflict("The settings change \(changeID) is no longer pending.")
            }
            let canceled = try await store.decideChange(
                changeID, status: "canceled", by: request.actor, on: work.connection)
            work.audit(
                "settings.change_canceled", objectType: "settings_change", objectID: changeID, before: nil,
                after: canceled.json)
            return canceled
        }.value
    }

    func settingsChanges(tenantID: String, limit: Int) async throws -> [SettingsChange] {
        try await work.database.tenantTransaction(tenantID) { connection in
            try await store.changes(tenantID: tenantID, limit: limit, on: connection)
        }
    }

    private func lockTenant(_ tenantID: String, on connection: PostgresConnection) async throws -> TenantStore.TenantRow
    {
        guard let tenant = try await store.tenant(tenantID, forUpdate: true, on: connection) else {
            throw DomainError.notFound("No such tenant.")
        }
        return tenant
    }

    private static func settings(of tenant: TenantStore.TenantRow) throws(DomainError) -> TenantSettings {
        do { return try tenant.settings() } catch {
            throw DomainError.conflict(
                "The stored settings do not read (\(error.description)); an operator must fix them.",
                code: "invalid_setting")
        }
    }

    private func apply(_ updated: TenantSettings, to tenant: TenantStore.TenantRow, action: String, in work: inout Work)
        async throws
    {
        let version = Timestamp.nextVersion(after: tenant.version)
        try await store.updateSettings(tenant.id, settings: updated, version: version, on: work.connection)
        try publishTenant(
            id: tenant.id, name: tenant.name, status: tenant.status, settings: updated.json, version: version, in: &work
        )
        work.audit(
            action, objectType: "settings", objectID: tenant.id, before: tenant.settingsJSON, after: updated.json)
    }

    private func publishTenant(
        id: String, name: String, status: String, settings: JSONValue, version: Int64, in work: inout Work
    ) throws {
        try work.publish(
            TenancyEventType.tenantUpserted,
            payload: TenantUpserted(tenantID: id, name: name, status: status, settings: settings, version: version),
            orderingKey: id, tenantID: id)
    }
}

/// A change to a tenant's settings that loosens a control, waiting for a second key or an operator.
struct SettingsChange: Sendable {
    let id: String
    let tenantID: String
    let before: JSONValue
    let after: JSONValue
    let loosened: [String]
    let status: String
    let requestedBy: String
    let decidedBy: String?
    let createdAt: Date
    let expiresAt: Date
    let expired: Bool

    var json: JSONValue {
        [
            "id": .string(id), "object": "settings_change", "tenant_id": .string(tenantID), "status": .string(status),
            "loosened": .array(loosened.map(JSONValue.string)), "before": before, "after": after,
            "requested_by": .string(requestedBy),
            "decided_by": decidedBy.map(JSONValue.string) ?? .null, "created": .string(Timestamp.rfc3339(createdAt)),
            "expires_at": .string(Timestamp.rfc3339(expiresAt)),
            "expired": .bool(expired && status == "pending_approval"),
        ]
    }
}

/// A pending change (to settings or to a live connector) may be decided while pending and unexpired, by
/// someone other than who asked for it.
enum PendingChange {
    static func checkDecidable(status: String, expired: Bool, requestedBy: String, actor: String) throws(DomainError) {
        guard status == "pending_approval" else {
            throw DomainError.conflict("This change is \(status); only a pending change can be approved.")
        }
        guard !expired else {
            throw DomainError.conflict("This change expired without an approval; ask again.", code: "change_expired")
        }
        guard requestedBy != actor else {
            throw DomainError.forbidden(
                "A change that loosens a control is approved by a different key or an operator.",
                code: "approver_must_differ")
        }
    }
}

extension SettingsChange {
    func checkDecidable(by actor: String) throws(DomainError) {
        try PendingChange.checkDecidable(status: status, expired: expired, requestedBy: requestedBy, actor: actor)
    }
}
