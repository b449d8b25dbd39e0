import Contracts
import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Tenants' connectors: secrets sealed at rest (AES-256-GCM under `COFFER_MASTER_KEY`, key-versioned,
/// bound to connector and field), published to ingress and payouts with `connector.upserted`, audited.
/// Replacing a live connector's secrets (credentials, webhook secrets, callback credentials) or its API
/// address is not applied at once: it waits as a connector change (`cc_…`) that a different live key or
/// an operator approves.
struct Connectors: Sendable {
    let work: UnitOfWork
    let keyring: EncryptionKeyring
    let directory: ConnectorDirectory
    let environment: CommonConfiguration.Environment
    /// Where providers send webhooks (the public ingress URL), shown so it can be pasted into dashboards.
    let publicIngressURL: String
    let store = ConnectorStore()

    /// How long a replaced webhook secret keeps working when a new one is set without saying.
    static let rotationGrace: TimeInterval = 24 * 3600

    enum UpsertOutcome: Sendable {
        case applied(JSONValue)
        case pending(ConnectorChange)
    }

    /// Creates or changes a connector (the key's mode unless the body says otherwise, which must agree).
    func upsert(
        tenantID: String, provider: ProviderName, change: ConnectorRequest, body: JSONValue, keyLivemode: Bool,
        _ request: WorkRequest
    ) async throws -> UpsertOutcome {
        let mode = change.mode ?? (keyLivemode ? "live" : "test")
        guard mode == (keyLivemode ? "live" : "test") else {
            throw DomainError.forbidden(
                "A \(keyLivemode ? "live" : "test") key manages only \(keyLivemode ? "live" : "test") connectors.",
                code: "mode_mismatch")
        }
        if let baseURL = change.apiBaseURL ?? nil { try checkBaseURL(baseURL, provider: provider, mode: mode) }
        let outcome = try await work.run(request) { work -> UpsertOutcome in
            if mode == "live", change.replacesSecrets,
                let existing = try await store.lock(
                    tenantID: tenantID, provider: provider, mode: "live", on: work.connection)
            {
                let changeID = CofferID.generate(.connectorChange)
                let sealedBody = try keyring.seal(body.jsonString, context: "connector_change:" + changeID)
                let pending = try await store.insertChange(
                    id: changeID, tenantID: tenantID, connectorID: existing.id, provider: provider,
                    requestSealed: sealedBody, connectorVersion: existing.version, requestedBy: request.actor,
                    window: Tenants.approvalWindow, on: work.connection)
                work.audit(
                    "connector.change_requested", objectType: "connector_change", objectID: changeID, before: nil,
                    after: pending.json)
                return .pending(pending)
            }
            return .applied(
                try await write(tenantID: tenantID, provider: provider, change: change, mode: mode, in: &work))
        }.value
        return outcome
    }

    /// Applies an approved connector change: by a different live key with an approving role, or an
    /// operator; only if the connector is still the version the change was asked against.
    func approveChange(_ changeID: String, tenantID: String, _ request: WorkRequest) async throws -> JSONValue {
        try await work.run(request) { work in
            guard CofferID.isValid(changeID, prefix: .connectorChange),
                let pending = try await store.lockChange(changeID, tenantID: tenantID, on: work.connection)
            else { throw DomainError.notFound("No such connector change: \(changeID)", param: "id") }
            try PendingChange.checkDecidable(
                status: pending.status, expired: pending.expired, requestedBy: pending.requestedBy, actor: request.actor
            )
            guard let provider = ProviderName(rawValue: pending.provider) else {
                throw DomainError.internalFailure("a connector change names no provider")
            }
            guard let current = try await store.lock(id: pending.connectorID, on: work.connection),
                current.version == pending.connectorVersion
            else {
                throw DomainError.conflict(
                    "The connector changed after this change was asked for; ask again.", code: "connector_changed_since"
                )
            }
            let body = try JSONValue.parse(
                Array(try keyring.openString(pending.requestSealed, context: "connector_change:" + changeID).utf8))
            let change = try ConnectorRequest(json: body, provider: provider)
            let applied = try await write(
                tenantID: tenantID, provider: provider, change: change, mode: "live", in: &work)
            try await store.markChangeApplied(changeID, by: request.actor, on: work.connection)
            work.audit(
                "connector.change_approved", objectType: "connector_change", objectID: changeID, before: pending.json,
                after: ["status": "applied"])
            return applied
        }.value
    }

    func changes(tenantID: String, limit: Int) async throws -> [ConnectorChange] {
        try await work.database.tenantTransaction(tenantID) { connection in
            try await store.changes(tenantID: tenantID, limit: limit, on: connection)
        }
    }

    private func write(
        tenantID: String, provider: ProviderName, change: ConnectorRequest, mode: String, in work: inout Work
    ) async throws -> JSONValue {
        let rules = ConnectorRules.rules(provider)
        let existing = try await store.lock(tenantID: tenantID, provider: provider, mode: mode, on: work.connection)
        var row =
            existing
            ?? ConnectorStore.Row(
                id: CofferID.generate(.connector), tenantID: tenantID, provider: provider, mode: mode,
                status: "active", priority: 1, sealed: [:], previousSecretExpiresAt: nil, webhookID: nil,
                certificates: [], saltIndex: nil, apiBaseURL: nil, version: 0)
        let before = describe(row, showToken: false)
        row.status = change.status ?? row.status
        row.priority = change.priority ?? row.priority
        if let value = change.webhookID { row.webhookID = value }
        if let value = change.certificates { row.certificates = value ?? [] }
        if let value = change.saltIndex { row.saltIndex = value }
        if let value = change.apiBaseURL { row.apiBaseURL = value }
        var plain: [String: String?] = [:]
        for (name, value) in change.credentials { plain["credentials." + name] = value }
        for (name, value) in change.secrets { plain[name] = value }
        // A new webhook secret without an explicit previous one: the old one keeps working for a day.
        if let newSecret = change.secrets["webhook_secret"] ?? nil, change.secrets["previous_webhook_secret"] == nil,
            let oldSealed = row.sealed["webhook_secret"],
            let old = try? keyring.openString(
                oldSealed, context: ConnectorSecretContext.make(connectorID: row.id, field: "webhook_secret")),
            old != newSecret
        {
            plain["previous_webhook_secret"] = .some(old)
            row.previousSecretExpiresAt = Date().addingTimeInterval(Self.rotationGrace)
        } else if change.secrets["previous_webhook_secret"] != nil {
            row.previousSecretExpiresAt = Date().addingTimeInterval(Self.rotationGrace)
        }
        if ConnectorRules.needsCallbackToken(provider), row.sealed["callback_token"] == nil,
            change.secrets["callback_token"] == nil
        {
            plain["callback_token"] = .some(SecureRandom.token(byteCount: 24))
        }
        for (field, value) in plain {
            row.sealed[field] = try value.map {
                try keyring.seal($0, context: ConnectorSecretContext.make(connectorID: row.id, field: field))
            }
        }
        let missing =
            rules.requiredCredentials.filter { row.sealed["credentials." + $0] == nil }.sorted()
            + rules.requiredForWebhooks.filter { field in
                field == "webhook_id" ? row.webhookID == nil : row.sealed[field] == nil
            }.sorted()
        guard missing.isEmpty else {
            throw DomainError.invalid(
                "Missing for \(provider.rawValue): \(missing.joined(separator: ", ")).", code: "parameter_missing",
                param: missing.first)
        }
        row.version = Timestamp.nextVersion(after: row.version)
        try await store.upsert(row, on: work.connection)
        try work.publish(TenancyEventType.connectorUpserted, payload: row.upserted, orderingKey: row.id)
        work.audit(
            existing == nil ? "connector.created" : "connector.updated", objectType: "connector", objectID: row.id,
            before: existing == nil ? nil : before, after: describe(row, showToken: false))
        let directory = self.directory
        work.afterCommit { directory.invalidate(tenantID: tenantID) }
        // The answer to the PUT shows the full webhook URL once (it can hold the secret path token).
        return describe(row, showToken: true)
    }

    /// Where a connector may send Coffer's calls. Live connectors, and every connector in production,
    /// only to the provider's own hosts (scheme, host and port compared exactly). In development and
    /// tests a test connector may point elsewhere (the sandbox) — but never at a link-local or cloud
    /// metadata address; the outbound client checks what a name resolves to as well.
    private func checkBaseURL(_ url: String, provider: ProviderName, mode: String) throws(DomainError) {
        guard let parsed = ParsedBaseURL(url) else {
            throw DomainError.invalid(
                "api_base_url must be an http(s) URL without credentials, query or fragment.", param: "api_base_url")
        }
        if environment != .production, mode == "test" {
            guard !parsed.isRefused(by: .forEnvironment(environment)) else {
                throw DomainError.invalid(
                    "api_base_url may not point at a link-local or metadata address.", code: "api_base_url_not_allowed",
                    param: "api_base_url")
            }
            return
        }
        guard ProviderHosts.isAllowed(url, provider: provider, livemode: mode == "live") else {
            let allowed = ProviderHosts.allowed(provider, livemode: mode == "live").map(\.url)
            throw DomainError.invalid(
                "api_base_url may only be \(ProviderDisplayName.of(provider))'s API (\(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))) for this connector.",
                code: "api_base_url_not_allowed", param: "api_base_url")
        }
    }

    // MARK: Reading

    func list(tenantID: String, livemode: Bool) async throws -> [JSONValue] {
        try await work.database.tenantTransaction(tenantID) { connection in
            try await store.list(tenantID: tenantID, mode: livemode ? "live" : "test", on: connection).map {
                describe($0, showToken: false)
            }
        }
    }

    /// Secrets appear only as their last four characters.
    private func describe(_ row: ConnectorStore.Row, showToken: Bool) -> JSONValue {
        func masked(_ field: String) -> JSONValue {
            guard let box = row.sealed[field],
                let plain = try? keyring.openString(
                    box, context: ConnectorSecretContext.make(connectorID: row.id, field: field))
            else { return .null }
            return .string("****" + plain.suffix(4))
        }
        var credentials: [String: JSONValue] = [:]
        for field in row.sealed.keys where field.hasPrefix("credentials.") {
            credentials[String(field.dropFirst("credentials.".count))] = masked(field)
        }
        var webhookURL = "\(publicIngressURL)/webhooks/\(row.provider.rawValue)/\(row.tenantID)"
        if ConnectorRules.needsCallbackToken(row.provider), let box = row.sealed["callback_token"],
            let token = try? keyring.openString(
                box, context: ConnectorSecretContext.make(connectorID: row.id, field: "callback_token"))
        {
            webhookURL += "/" + (showToken ? token : "****" + token.suffix(4))
        }
        var object: [String: JSONValue] = [
            "id": .string(row.id), "object": "connector", "provider": .string(row.provider.rawValue),
            "mode": .string(row.mode),
            "livemode": .bool(row.mode == "live"), "status": .string(row.status), "priority": .int(Int64(row.priority)),
            "credentials": .object(credentials), "webhook_url": .string(webhookURL),
            "webhook_id": row.webhookID.map(JSONValue.string) ?? .null,
            "salt_index": row.saltIndex.map { .int(Int64($0)) } ?? .null,
            "api_base_url": row.apiBaseURL.map(JSONValue.string) ?? .null,
            "certificates": .array(
                row.certificates.compactMap { try? X509Certificate(pem: $0) }.map {
                    [
                        "subject": .string($0.subject), "not_after": .string(Timestamp.rfc3339($0.notAfter)),
                        "sha256": .string($0.sha256Fingerprint),
                    ]
                }),
        ]
        for field in ConnectorRules.secretFieldNames where row.sealed[field] != nil { object[field] = masked(field) }
        return .object(object)
    }

    /// Re-seals every connector secret under the newest master key version (`cofferctl keys rotate`).
    func reencryptAll(actor: String, correlationID: String) async throws -> Int {
        let rows = try await work.database.platformTransaction { connection in
            try await store.sealedSecrets(on: connection)
        }
        var changed = 0
        for candidate in rows where candidate.sealed.values.contains(where: keyring.needsReencryption) {
            let request = WorkRequest(tenantID: candidate.tenantID, actor: actor, correlationID: correlationID)
            _ = try await work.run(request) { work in
                guard var row = try await store.lock(id: candidate.id, on: work.connection) else { return }
                for (field, box) in row.sealed where keyring.needsReencryption(box) {
                    let context = ConnectorSecretContext.make(connectorID: row.id, field: field)
                    row.sealed[field] = try keyring.seal(try keyring.open(box, context: context), context: context)
                }
                row.version = Timestamp.nextVersion(after: row.version)
                try await store.upsert(row, on: work.connection)
                try work.publish(TenancyEventType.connectorUpserted, payload: row.upserted, orderingKey: row.id)
                work.audit(
                    "connector.reencrypted", objectType: "connector", objectID: row.id, before: nil,
                    after: ["key_version": .int(Int64(keyring.currentVersion))])
            }
            changed += 1
        }
        directory.invalidateAll()
        return changed
    }
}

/// A replacement of a live connector's secrets or address, waiting for a second key or an operator.
struct ConnectorChange: Sendable {
    let id: String
    let tenantID: String
    let connectorID: String
    let provider: String
    let status: String
    let requestedBy: String
    let decidedBy: String?
    let createdAt: Date
    let expiresAt: Date
    let expired: Bool
    /// The request as sent (it holds the new secrets), sealed under the master key; never shown.
    let requestSealed: String
    let connectorVersion: Int64

    /// As the API shows it: never the secrets it carries.
    var json: JSONValue {
        [
            "id": .string(id), "object": "connector_change", "tenant_id": .string(tenantID),
            "connector_id": .string(connectorID),
            "provider": .string(provider), "status": .string(status), "requested_by": .string(requestedBy),
            "decided_by": decidedBy.map(JSONValue.string) ?? .null, "created": .string(Timestamp.rfc3339(createdAt)),
            "expires_at": .string(Timestamp.rfc3339(expiresAt)),
            "expired": .bool(expired && status == "pending_approval"),
        ]
    }
}
