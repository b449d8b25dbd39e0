import Contracts
import Foundation
import HTTP
import Platform
import Postgres
import Shared
import Synchronization
import TestSupport
import XCTest

/// A running `coffer-ingress` on a fresh database, with a recording stand-in for payments and payouts
/// (a real `/internal/events` endpoint with an inbox), and helpers to seed tenants and connectors
/// through signed events, exactly as payments will.
final class IngressHarness: @unchecked Sendable {
    let database: TestDatabase
    let process: ServiceProcess
    let consumer: RecordingSubscriber
    let client = LoopHTTPClient()
    let keyring: EncryptionKeyring
    var baseURL: String { process.baseURL }
    /// The internal listener: `/internal/*` and `/admin/*`.
    var internalURL: String { process.internalURL }

    static func start(extraEnvironment: [String: String] = [:]) async throws -> IngressHarness {
        let database = try await TestDatabase.create()
        let consumer = try await RecordingSubscriber.start(database: database)
        var environment = TestStackEnvironment.variables(
            database: database,
            extra: [
                "PAYMENTS_INTERNAL_URL": consumer.baseURL, "PAYOUTS_INTERNAL_URL": consumer.baseURL,
                "OUTBOX_RETRY_BASE": "50ms", "OUTBOX_RETRY_MAX": "500ms",
                "WEBHOOK_RATE_LIMIT_PER_IP": "100000", "WEBHOOK_RATE_LIMIT_PER_IP_BURST": "100000",
                "WEBHOOK_RATE_LIMIT_PER_TENANT": "100000", "WEBHOOK_RATE_LIMIT_PER_TENANT_BURST": "100000",
            ])
        for (key, value) in extraEnvironment { environment[key] = value }
        let process = try ServiceProcess(binary: "coffer-ingress", environment: environment)
        try await process.waitUntilReady()
        return IngressHarness(
            database: database, process: process, consumer: consumer,
            keyring: try EncryptionKeyring(parsing: TestStackEnvironment.masterKey))
    }

    private init(
        database: TestDatabase, process: ServiceProcess, consumer: RecordingSubscriber, keyring: EncryptionKeyring
    ) {
        self.database = database
        self.process = process
        self.consumer = consumer
        self.keyring = keyring
    }

    func stop() async {
        await process.stop()
        await consumer.stop()
        try? await database.drop()
    }

    // MARK: Seeding through payments' events

    func postEvents(_ events: [EventEnvelope]) async throws -> HTTPClientResponse {
        let body = EventEnvelope.encodeBatch(events)
        var request = HTTPClientRequest(method: .POST, url: internalURL + "/internal/events", body: body)
        request.headers.add(
            InternalRequestSigner.headerName,
            TestStackEnvironment.signature(
                from: events.first?.source ?? "payments", to: "ingress", method: "POST", target: "/internal/events",
                body: body))
        return try await client.send(request)
    }

    @discardableResult
    func createTenant(_ tenantID: String = CofferID.generate(.tenant), status: String = "active", version: Int64 = 1)
        async throws -> String
    {
        let event = try EventEnvelope.make(
            type: TenancyEventType.tenantUpserted, source: "payments", tenantID: tenantID, correlationID: nil,
            payload: TenantUpserted(tenantID: tenantID, name: "Test tenant", status: status, version: version))
        let response = try await postEvents([event])
        XCTAssertEqual(response.status, .ok, response.bodyText)
        return tenantID
    }

    /// Seals `secrets` (field → plain value) exactly as payments does and sends `connector.upserted`.
    @discardableResult
    func upsertConnector(
        tenantID: String, provider: ProviderName, mode: String = "test", secrets: [String: String],
        connectorID: String = CofferID.generate(.connector), previousSecretExpiresAt: Date? = nil,
        webhookID: String? = nil, certificates: [String]? = nil, saltIndex: Int? = nil, version: Int64 = 1,
        status: String = "active"
    ) async throws -> String {
        var sealed: [String: String] = [:]
        for (field, value) in secrets {
            sealed[field] = try keyring.seal(
                value, context: ConnectorSecretContext.make(connectorID: connectorID, field: field))
        }
        let payload = ConnectorUpserted(
            connectorID: connectorID, tenantID: tenantID, provider: provider.rawValue, mode: mode,
            status: status, sealedSecrets: sealed, previousSecretExpiresAt: previousSecretExpiresAt,
            webhookID: webhookID, certificates: certificates, saltIndex: saltIndex, version: version)
        let event = try EventEnvelope.make(
            type: TenancyEventType.connectorUpserted, source: "payments", tenantID: tenantID,
            correlationID: nil, payload: payload)
        let response = try await postEvents([event])
        XCTAssertEqual(response.status, .ok, response.bodyText)
        // The copy's cache lives a second; tests that change secrets wait it out.
        return connectorID
    }

    // MARK: Sending webhooks

    func send(_ path: String, body: [UInt8], headers: HTTPHeaders = [:], method: HTTPMethod = .POST) async throws -> (
        HTTPClientResponse, JSONValue?
    ) {
        var all = headers
        if !all.contains("Content-Type") { all.add("Content-Type", "application/json") }
        let response = try await client.send(
            HTTPClientRequest(method: method, url: baseURL + path, headers: all, body: body, timeout: .seconds(20)))
        return (response, try? JSONValue.parse(response.body))
    }

    func adminGet(_ path: String) async throws -> JSONValue {
        let response = try await client.send(
            HTTPClientRequest(
                method: .GET, url: internalURL + path,
                headers: ["Authorization": "Bearer \(TestStackEnvironment.adminToken)"]))
        XCTAssertEqual(response.status, .ok, response.bodyText)
        return try JSONValue.parse(response.body)
    }

    func adminPost(_ path: String) async throws -> HTTPClientResponse {
        try await client.send(
            HTTPClientRequest(
                method: .POST, url: internalURL + path,
                headers: ["Authorization": "Bearer \(TestStackEnvironment.adminToken)"]))
    }

    func count(_ sql: String) async throws -> Int64 {
        let pool = database.pool(.owner, poolSize: 1)
        defer { Task { await pool.shutdown() } }
        return try await pool.query(PostgresQuery(unsafeSQL: sql)).first?.decode(Int64.self, at: 0) ?? -1
    }

    /// Waits for the consumer to have applied `count` events.
    func waitForDeliveries(_ count: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if consumer.applied.withLock({ $0.count }) >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("expected \(count) deliveries, got \(consumer.applied.withLock { $0.count })")
    }
}

/// Stands in for payments and payouts (and the other receivers a test does not run): a real
/// `/internal/events` endpoint (each sender's pair signature checked, inbox deduplication) on its own
/// schema, recording what it applied. It plays every receiver at once, so it holds each one's pairs.
final class RecordingSubscriber: EventConsumer, @unchecked Sendable {
    let applied = Mutex<[EventEnvelope]>([])
    /// While true, every event is refused permanently (dead-lettered at the sender).
    let refuseAll = Mutex<Bool>(false)
    /// Served at `GET /internal/snapshot/tenants` when set (playing payments for a new copy).
    let snapshot = Mutex<TenancySnapshot?>(nil)
    private(set) var server: ServiceListeners?
    private var runtime: ServiceRuntime?
    /// Its internal listener (what services deliver events to).
    var baseURL: String { "http://127.0.0.1:\(server?.internalPort ?? 0)" }

    static func start(database: TestDatabase) async throws -> RecordingSubscriber {
        let subscriber = RecordingSubscriber()
        let owner = database.pool(.owner, poolSize: 1)
        _ = try await Migrator(
            pool: owner, schema: "subscriber",
            migrations: [OutboxSchema.inboxMigration(version: 1, schema: "subscriber")],
            logger: TestEnvironment.logger()
        ).migrate(grantTo: [database.appRole, "coffer_platform"])
        await owner.shutdown()
        var reader = ConfigReader(
            service: "subscriber",
            environment: [
                "DATABASE_URL": database.appURL, "HTTP_HOST": "127.0.0.1", "PORT": "0", "INTERNAL_PORT": "0",
                "LOG_FILE": "/dev/null",
            ])
        let common = CommonConfiguration(reader: &reader, defaultPort: 0)
        try reader.finish()
        let runtime = ServiceRuntime(
            identity: ServiceIdentity(name: "subscriber", defaultPort: 0, migrations: []), configuration: common)
        let router = Router()
        let authentication = InternalAuthenticator(
            signers: TestStackEnvironment.services.map(TestStackEnvironment.signer(as:)))
        let anything = EventSenders(Dictionary(uniqueKeysWithValues: TestStackEnvironment.services.map { ($0, ["*"]) }))
        InternalEventsEndpoint(
            schema: "subscriber",
            work: UnitOfWork(
                database: runtime.database, outbox: nil, audit: nil, idempotency: nil, source: "subscriber"),
            consumer: subscriber, senders: anything, metrics: runtime.metrics
        )
        .register(on: router, authentication: authentication)
        router.get("/internal/snapshot/tenants", admission: [authentication], middleware: [authentication]) { _, _ in
            guard let snapshot = subscriber.snapshot.withLock({ $0 }) else {
                throw HTTPError.serviceUnavailable("not yet")
            }
            return .json(.ok, bytes: Array(try JSONCoding.makeEncoder().encode(snapshot)))
        }
        let server = runtime.makeServer(router: router)
        try await server.start()
        subscriber.server = server
        subscriber.runtime = runtime
        return subscriber
    }

    func apply(_ event: EventEnvelope, in work: inout Work, logger: Logger) async throws -> EventOutcome {
        if refuseAll.withLock({ $0 }) { throw PermanentEventError("refused by the test") }
        // Recorded once its inbox row commits: an attempt that rolls back (and is delivered again) is
        // not an application, and counting it made "one event per payment" fail now and then.
        work.afterCommit { self.applied.withLock { $0.append(event) } }
        return .applied
    }

    func stop() async {
        await server?.shutdown()
        await runtime?.database.shutdown()
    }
}
