import Foundation
import HTTP
import Platform
import Postgres
import ProviderKit
import Shared
import Synchronization

/// Tenants' connectors: secrets sealed at rest (AES-256-GCM under `COFFER_MASTER_KEY`, key-versioned,
/// bound to connector and field), published to ingress and payouts with `connector.upserted`, and
/// opened for provider calls through a one-second cache.
final class ConnectorStore: Sendable {
    let database: PostgresPool
    let keyring: EncryptionKeyring
    let events: TenancyEvents
    let audit: AuditLog
    let environment: CommonConfiguration.Environment
    /// Where providers send webhooks (the public ingress URL), shown so it can be pasted into dashboards.
    let publicIngressURL: String
    let providerTimeout: Duration
    private let cache = Mutex<[String: (connectors: [ProviderConnector], expires: UInt64)]>([:])

    /// How long a replaced webhook secret keeps working when a new one is set without saying.
    static let rotationGrace: TimeInterval = 24 * 3600

    init(database: PostgresPool, keyring: EncryptionKeyring, events: TenancyEvents, audit: AuditLog,
         environment: CommonConfiguration.Environment, publicIngressURL: String, providerTimeout: Duration) {
        self.database = database
        self.keyring = keyring
        self.events = events
        self.audit = audit
        self.environment = environment
        self.publicIngressURL = publicIngressURL
        self.providerTimeout = providerTimeout
    }

    // MARK: Writing

    /// Creates or changes a connector. Replacing a live connector's secrets (credentials, webhook secrets,
    /// callback credentials) or its API address is not applied at once: it is recorded as a connector
    /// change (`cc_…`, 202) that a different live key or an operator approves (`approveChange`).
    func upsert(tenantID: String, provider: ProviderName, request: ConnectorRequest, body: JSONValue, keyLivemode: Bool, actor: String,
                correlationID: String) async throws -> (HTTPStatus, JSONValue) {
        let mode = request.mode ?? (keyLivemode ? "live" : "test")
        guard mode == (keyLivemode ? "live" : "test") else {
            throw HTTPError.forbidden("A \(keyLivemode ? "live" : "test") key manages only \(keyLivemode ? "live" : "test") connectors.",
                                      code: "mode_mismatch")
        }
        let rules = ConnectorRules.rules(provider)
        if let baseURL = request.apiBaseURL ?? nil { try checkBaseURL(baseURL, provider: provider, mode: mode, rules: rules) }
        return try await database.tenantTransaction(tenantID) { connection in
            if mode == "live", request.replacesSecrets,
               let existing = try await connection.query("""
                   SELECT id, version FROM payments.connectors WHERE tenant_id = \(tenantID) AND provider = \(provider.rawValue) AND mode = 'live'
                   FOR UPDATE
                   """).first {
                let (connectorID, version) = try existing.decode((String, Int64).self)
                let changeID = CofferID.generate(.connectorChange)
                let sealedBody = try keyring.seal(body.jsonString, context: "connector_change:" + changeID)
                guard let row = try await connection.query("""
                    INSERT INTO payments.connector_changes AS c (id, tenant_id, connector_id, provider, request_sealed, connector_version, status,
                        requested_by, expires_at)
                    VALUES (\(changeID), \(tenantID), \(connectorID), \(provider.rawValue), \(sealedBody), \(version), 'pending_approval', \(actor),
                        now() + make_interval(secs => \(TenantStore.approvalWindow.components.seconds)))
                    RETURNING \(unsafeSQL: Self.changeColumns)
                    """).first else { throw HTTPError.internalError() }
                let change = try Self.changeJSON(row)
                try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "connector.change_requested",
                                                  objectType: "connector_change", objectID: changeID, before: nil, after: change,
                                                  correlationID: correlationID), on: connection)
                return (.accepted, change)
            }
            return (.ok, try await write(tenantID: tenantID, provider: provider, request: request, mode: mode, actor: actor,
                                         correlationID: correlationID, on: connection))
        }
    }

    /// Applies an approved connector change: by a different live key with an approving role, or an
    /// operator; only if the connector is still the version the change was asked against.
    func approveChange(_ changeID: String, tenantID: String, actor: String, correlationID: String) async throws -> JSONValue {
        try await database.tenantTransaction(tenantID) { connection in
            guard CofferID.isValid(changeID, prefix: .connectorChange),
                  let row = try await connection.query("""
                      SELECT \(unsafeSQL: Self.changeColumns), c.request_sealed, c.connector_version FROM payments.connector_changes c
                      WHERE c.id = \(changeID) AND c.tenant_id = \(tenantID) FOR UPDATE
                      """).first
            else { throw HTTPError.notFound("No such connector change: \(changeID)", param: "id") }
            let change = try Self.changeJSON(row)
            try TenantStore.checkDecidable(change, actor: actor)
            let (sealedBody, version) = try row.decode((String, Int64).self, startingAt: Self.changeColumnCount)
            guard let providerName = change["provider"]?.stringValue, let provider = ProviderName(rawValue: providerName),
                  let connectorID = change["connector_id"]?.stringValue
            else { throw HTTPError.internalError() }
            let current = try await connection.query("SELECT version FROM payments.connectors WHERE id = \(connectorID) FOR UPDATE").first?
                .decode(Int64.self, at: 0)
            guard current == version else {
                throw HTTPError.conflict("The connector changed after this change was asked for; ask again.", code: "connector_changed_since")
            }
            let body = try JSONValue.parse(Array(try keyring.openString(sealedBody, context: "connector_change:" + changeID).utf8))
            let request = try ConnectorRequest(json: body, provider: provider)
            let applied = try await write(tenantID: tenantID, provider: provider, request: request, mode: "live", actor: actor,
                                          correlationID: correlationID, on: connection)
            try await connection.execute("""
                UPDATE payments.connector_changes SET status = 'applied', decided_by = \(actor), decided_at = now() WHERE id = \(changeID)
                """)
            try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "connector.change_approved", objectType: "connector_change",
                                              objectID: changeID, before: change, after: ["status": "applied"], correlationID: correlationID),
                                   on: connection)
            return applied
        }
    }

    func changes(tenantID: String, limit: Int) async throws -> [JSONValue] {
        try await database.tenantTransaction(tenantID) { connection in
            try await connection.query("""
                SELECT \(unsafeSQL: Self.changeColumns) FROM payments.connector_changes c WHERE c.tenant_id = \(tenantID)
                ORDER BY c.created_at DESC, c.id DESC LIMIT \(Int64(limit))
                """).map(Self.changeJSON)
        }
    }

    static let changeColumns = """
        c.id, c.tenant_id, c.connector_id, c.provider, c.status, c.requested_by, c.decided_by, c.created_at, c.expires_at, c.expires_at < now()
        """
    static let changeColumnCount = 10

    /// A change as the API shows it: never the secrets it carries.
    static func changeJSON(_ row: PostgresRow) throws -> JSONValue {
        let (id, tenant, connector, provider, status, requestedBy, decidedBy, created, expires, expired) =
            try row.decode((String, String, String, String, String, String, String?, Date, Date, Bool).self, startingAt: 0)
        return ["id": .string(id), "object": "connector_change", "tenant_id": .string(tenant), "connector_id": .string(connector),
                "provider": .string(provider), "status": .string(status), "requested_by": .string(requestedBy),
                "decided_by": decidedBy.map(JSONValue.string) ?? .null, "created": .string(Timestamp.rfc3339(created)),
                "expires_at": .string(Timestamp.rfc3339(expires)), "expired": .bool(expired && status == "pending_approval")]
    }

    private func write(tenantID: String, provider: ProviderName, request: ConnectorRequest, mode: String, actor: String,
                       correlationID: String, on connection: PostgresConnection) async throws -> JSONValue {
        let rules = ConnectorRules.rules(provider)
        do {
            let existing = try await connection.query("""
                SELECT id, status, priority, sealed_secrets::text, previous_secret_expires_at, webhook_id, coalesce(certificates, '{}'),
                       salt_index, api_base_url, version
                FROM payments.connectors WHERE tenant_id = \(tenantID) AND provider = \(provider.rawValue) AND mode = \(mode) FOR UPDATE
                """).first
            let id: String
            var status = "active", priority = 1
            var sealed: [String: String] = [:]
            var previousExpires: Date?
            var webhookID: String?, certificates: [String] = [], saltIndex: Int?, baseURL: String?
            var version: Int64 = 0
            if let existing {
                let row = try existing.decode((String, String, Int32, String, Date?, String?, [String], Int32?, String?, Int64).self)
                (id, status, priority, previousExpires, webhookID, certificates, baseURL, version) =
                    (row.0, row.1, Int(row.2), row.4, row.5, row.6, row.8, row.9)
                saltIndex = row.7.map(Int.init)
                sealed = (try JSONValue.parse(row.3)).objectValue?.compactMapValues(\.stringValue) ?? [:]
            } else {
                id = CofferID.generate(.connector)
            }
            let before = describe(id: id, tenantID: tenantID, provider: provider, mode: mode, status: status, priority: priority,
                                  sealed: sealed, webhookID: webhookID, certificates: certificates, saltIndex: saltIndex, baseURL: baseURL,
                                  showToken: false)
            status = request.status ?? status
            priority = request.priority ?? priority
            if let value = request.webhookID { webhookID = value }
            if let value = request.certificates { certificates = value ?? [] }
            if let value = request.saltIndex { saltIndex = value }
            if let value = request.apiBaseURL { baseURL = value }

            var plain: [String: String?] = [:]
            for (name, value) in request.credentials { plain["credentials." + name] = value }
            for (name, value) in request.secrets { plain[name] = value }
            // A new webhook secret without an explicit previous one: the old one keeps working for a day.
            if let newSecret = request.secrets["webhook_secret"] ?? nil, request.secrets["previous_webhook_secret"] == nil,
               let oldSealed = sealed["webhook_secret"],
               let old = try? keyring.openString(oldSealed, context: ConnectorSecretContext.make(connectorID: id, field: "webhook_secret")),
               old != newSecret {
                plain["previous_webhook_secret"] = .some(old)
                previousExpires = Date().addingTimeInterval(Self.rotationGrace)
            } else if request.secrets["previous_webhook_secret"] != nil {
                previousExpires = Date().addingTimeInterval(Self.rotationGrace)
            }
            if ConnectorRules.needsCallbackToken(provider), sealed["callback_token"] == nil, request.secrets["callback_token"] == nil {
                plain["callback_token"] = .some(SecureRandom.token(byteCount: 24))
            }
            for (field, value) in plain {
                if let value {
                    sealed[field] = try keyring.seal(value, context: ConnectorSecretContext.make(connectorID: id, field: field))
                } else {
                    sealed[field] = nil
                }
            }
            let missing = rules.requiredCredentials.filter { sealed["credentials." + $0] == nil }.sorted()
                + rules.requiredForWebhooks.filter { field in
                    field == "webhook_id" ? webhookID == nil : sealed[field] == nil
                }.sorted()
            guard missing.isEmpty else {
                throw HTTPError.badRequest("Missing for \(provider.rawValue): \(missing.joined(separator: ", ")).", code: "parameter_missing",
                                           param: missing.first)
            }
            version = Timestamp.nextVersion(after: version)
            let sealedJSON = JSONValue.object(sealed.mapValues(JSONValue.string)).jsonString
            try await connection.execute("""
                INSERT INTO payments.connectors (id, tenant_id, provider, mode, status, priority, sealed_secrets, previous_secret_expires_at,
                    webhook_id, certificates, salt_index, api_base_url, version)
                VALUES (\(id), \(tenantID), \(provider.rawValue), \(mode), \(status), \(Int32(priority)), \(sealedJSON)::jsonb, \(previousExpires),
                    \(webhookID), \(array: certificates)::text[], \(saltIndex.map(Int32.init)), \(baseURL), \(version))
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, priority = excluded.priority, sealed_secrets = excluded.sealed_secrets,
                    previous_secret_expires_at = excluded.previous_secret_expires_at, webhook_id = excluded.webhook_id,
                    certificates = excluded.certificates, salt_index = excluded.salt_index, api_base_url = excluded.api_base_url,
                    version = excluded.version, updated_at = now()
                """)
            try await events.connectorUpserted(
                ConnectorUpserted(connectorID: id, tenantID: tenantID, provider: provider.rawValue, mode: mode, status: status, priority: priority,
                                  sealedSecrets: sealed, previousSecretExpiresAt: previousExpires, webhookID: webhookID,
                                  certificates: certificates.isEmpty ? nil : certificates, saltIndex: saltIndex, apiBaseURL: baseURL,
                                  version: version),
                correlationID: correlationID, on: connection)
            let after = describe(id: id, tenantID: tenantID, provider: provider, mode: mode, status: status, priority: priority, sealed: sealed,
                                 webhookID: webhookID, certificates: certificates, saltIndex: saltIndex, baseURL: baseURL, showToken: false)
            try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: existing == nil ? "connector.created" : "connector.updated",
                                              objectType: "connector", objectID: id, before: existing == nil ? nil : before, after: after,
                                              correlationID: correlationID), on: connection)
            invalidate(tenantID: tenantID)
            // The answer to the PUT shows the full webhook URL once (it can hold the secret path token).
            return describe(id: id, tenantID: tenantID, provider: provider, mode: mode, status: status, priority: priority, sealed: sealed,
                            webhookID: webhookID, certificates: certificates, saltIndex: saltIndex, baseURL: baseURL, showToken: true)
        }
    }

    /// Where a connector may send Coffer's calls. Live connectors, and every connector in production,
    /// only to the provider's own hosts (scheme, host and port compared exactly). In development and
    /// tests a test connector may point elsewhere (the sandbox) — but never at a link-local or cloud
    /// metadata address; the outbound client checks what a name resolves to as well.
    private func checkBaseURL(_ url: String, provider: ProviderName, mode: String, rules: ConnectorRules.Rules) throws(HTTPError) {
        guard let parsed = ParsedBaseURL(url) else {
            throw HTTPError.badRequest("api_base_url must be an http(s) URL without credentials, query or fragment.", param: "api_base_url")
        }
        if environment != .production, mode == "test" {
            guard !parsed.isRefused(by: .forEnvironment(environment)) else {
                throw HTTPError.badRequest("api_base_url may not point at a link-local or metadata address.",
                                           code: "api_base_url_not_allowed", param: "api_base_url")
            }
            return
        }
        guard ProviderHosts.isAllowed(url, provider: provider, livemode: mode == "live") else {
            let allowed = ProviderHosts.allowed(provider, livemode: mode == "live").map(\.url)
            throw HTTPError.badRequest("api_base_url may only be \(ProviderDisplayName.of(provider))'s API (\(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))) for this connector.",
                                       code: "api_base_url_not_allowed", param: "api_base_url")
        }
    }

    // MARK: Reading

    func list(tenantID: String, livemode: Bool) async throws -> [JSONValue] {
        try await database.tenantTransaction(tenantID) { connection in
            try await connection.query("""
                SELECT id, provider, mode, status, priority, sealed_secrets::text, webhook_id, coalesce(certificates, '{}'), salt_index, api_base_url
                FROM payments.connectors WHERE tenant_id = \(tenantID) AND mode = \(livemode ? "live" : "test")
                ORDER BY priority, provider
                """).map { row in
                let (id, provider, mode, status, priority, secrets, webhookID, certificates, saltIndex, baseURL) =
                    try row.decode((String, String, String, String, Int32, String, String?, [String], Int32?, String?).self)
                return describe(id: id, tenantID: tenantID, provider: ProviderName(rawValue: provider) ?? .standard, mode: mode, status: status,
                                priority: Int(priority), sealed: (try JSONValue.parse(secrets)).objectValue?.compactMapValues(\.stringValue) ?? [:],
                                webhookID: webhookID, certificates: certificates, saltIndex: saltIndex.map(Int.init), baseURL: baseURL,
                                showToken: false)
            }
        }
    }

    /// Secrets appear only as their last four characters.
    private func describe(id: String, tenantID: String, provider: ProviderName, mode: String, status: String, priority: Int,
                          sealed: [String: String], webhookID: String?, certificates: [String], saltIndex: Int?, baseURL: String?,
                          showToken: Bool) -> JSONValue {
        func masked(_ field: String) -> JSONValue {
            guard let box = sealed[field],
                  let plain = try? keyring.openString(box, context: ConnectorSecretContext.make(connectorID: id, field: field))
            else { return .null }
            return .string("****" + plain.suffix(4))
        }
        var credentials: [String: JSONValue] = [:]
        for field in sealed.keys where field.hasPrefix("credentials.") {
            credentials[String(field.dropFirst("credentials.".count))] = masked(field)
        }
        var webhookURL = "\(publicIngressURL)/webhooks/\(provider.rawValue)/\(tenantID)"
        if ConnectorRules.needsCallbackToken(provider), let box = sealed["callback_token"],
           let token = try? keyring.openString(box, context: ConnectorSecretContext.make(connectorID: id, field: "callback_token")) {
            webhookURL += "/" + (showToken ? token : "****" + token.suffix(4))
        }
        var object: [String: JSONValue] = [
            "id": .string(id), "object": "connector", "provider": .string(provider.rawValue), "mode": .string(mode),
            "livemode": .bool(mode == "live"), "status": .string(status), "priority": .int(Int64(priority)),
            "credentials": .object(credentials), "webhook_url": .string(webhookURL),
            "webhook_id": webhookID.map(JSONValue.string) ?? .null, "salt_index": saltIndex.map { .int(Int64($0)) } ?? .null,
            "api_base_url": baseURL.map(JSONValue.string) ?? .null,
            "certificates": .array(certificates.compactMap { try? X509Certificate(pem: $0) }.map {
                ["subject": .string($0.subject), "not_after": .string(Timestamp.rfc3339($0.notAfter)), "sha256": .string($0.sha256Fingerprint)]
            }),
        ]
        for field in ConnectorRules.secretFieldNames where sealed[field] != nil { object[field] = masked(field) }
        return .object(object)
    }

    /// Active connectors of a tenant in one mode, opened, by priority. Cached for a second.
    func active(tenantID: String, livemode: Bool) async throws -> [ProviderConnector] {
        let key = tenantID + (livemode ? "|live" : "|test")
        let now = MonotonicClock.nanoseconds()
        if let cached = cache.withLock({ $0[key] }), cached.expires > now { return cached.connectors }
        let connectors = try await database.tenantTransaction(tenantID) { connection -> [ProviderConnector] in
            try await connection.query("""
                SELECT id, provider, mode, sealed_secrets::text, api_base_url FROM payments.connectors
                WHERE tenant_id = \(tenantID) AND mode = \(livemode ? "live" : "test") AND status = 'active'
                ORDER BY priority, id
                """).compactMap(open)
        }
        cache.withLock { $0[key] = (connectors, now &+ 1_000_000_000) }
        return connectors
    }

    /// One connector whatever its status (calls about existing payments go through the connector that made them).
    func any(connectorID: String, tenantID: String) async throws -> ProviderConnector? {
        try await database.tenantTransaction(tenantID) { connection in
            try await connection.query("""
                SELECT id, provider, mode, sealed_secrets::text, api_base_url FROM payments.connectors
                WHERE tenant_id = \(tenantID) AND id = \(connectorID)
                """).first.flatMap(open)
        }
    }

    /// Opens a connector row (id, provider, mode, sealed secrets, base URL) for provider calls.
    private func open(_ row: PostgresRow) throws -> ProviderConnector? {
        let (id, providerName, mode, secretsText, baseURL) = try row.decode((String, String, String, String, String?).self)
        guard let provider = ProviderName(rawValue: providerName) else { return nil }
        let sealed = (try JSONValue.parse(secretsText)).objectValue?.compactMapValues(\.stringValue) ?? [:]
        var credentials: [String: String] = [:]
        for (field, box) in sealed where field.hasPrefix("credentials.") {
            credentials[String(field.dropFirst("credentials.".count))] =
                try keyring.openString(box, context: ConnectorSecretContext.make(connectorID: id, field: field))
        }
        let rules = ConnectorRules.rules(provider)
        let livemode = mode == "live"
        return ProviderConnector(connectorID: id, provider: provider, livemode: livemode,
                                 apiBaseURL: baseURL ?? (livemode ? rules.officialBaseURL.live : rules.officialBaseURL.test),
                                 credentials: credentials, timeout: providerTimeout)
    }

    func invalidate(tenantID: String) {
        cache.withLock { cache in cache = cache.filter { !$0.key.hasPrefix(tenantID + "|") } }
    }

    /// Re-seals every connector secret under the newest master key version (`cofferctl keys rotate`).
    func reencryptAll(actor: String, correlationID: String) async throws -> Int {
        let rows = try await database.platformTransaction { connection in
            try await connection.query("SELECT id, tenant_id, sealed_secrets::text FROM payments.connectors").map {
                try $0.decode((String, String, String).self)
            }
        }
        var changed = 0
        for (id, tenantID, secretsText) in rows {
            let sealed = (try JSONValue.parse(secretsText)).objectValue?.compactMapValues(\.stringValue) ?? [:]
            guard sealed.values.contains(where: keyring.needsReencryption) else { continue }
            try await database.tenantTransaction(tenantID) { connection in
                guard let row = try await connection.query("""
                    SELECT provider, mode, status, priority, sealed_secrets::text, previous_secret_expires_at, webhook_id,
                           coalesce(certificates, '{}'), salt_index, api_base_url, version
                    FROM payments.connectors WHERE id = \(id) FOR UPDATE
                    """).first else { return }
                let (provider, mode, status, priority, currentText, expires, webhookID, certificates, saltIndex, baseURL, version) =
                    try row.decode((String, String, String, Int32, String, Date?, String?, [String], Int32?, String?, Int64).self)
                var current = (try JSONValue.parse(currentText)).objectValue?.compactMapValues(\.stringValue) ?? [:]
                for (field, box) in current where keyring.needsReencryption(box) {
                    let context = ConnectorSecretContext.make(connectorID: id, field: field)
                    current[field] = try keyring.seal(try keyring.open(box, context: context), context: context)
                }
                let newVersion = Timestamp.nextVersion(after: version)
                try await connection.execute("""
                    UPDATE payments.connectors SET sealed_secrets = \(JSONValue.object(current.mapValues(JSONValue.string)).jsonString)::jsonb,
                        version = \(newVersion), updated_at = now() WHERE id = \(id)
                    """)
                try await events.connectorUpserted(
                    ConnectorUpserted(connectorID: id, tenantID: tenantID, provider: provider, mode: mode, status: status, priority: Int(priority),
                                      sealedSecrets: current, previousSecretExpiresAt: expires, webhookID: webhookID,
                                      certificates: certificates.isEmpty ? nil : certificates, saltIndex: saltIndex.map(Int.init),
                                      apiBaseURL: baseURL, version: newVersion),
                    correlationID: correlationID, on: connection)
                try await audit.record(AuditEntry(tenantID: tenantID, actor: actor, action: "connector.reencrypted", objectType: "connector",
                                                  objectID: id, before: nil, after: ["key_version": .int(Int64(keyring.currentVersion))],
                                                  correlationID: correlationID), on: connection)
            }
            changed += 1
        }
        return changed
    }
}
