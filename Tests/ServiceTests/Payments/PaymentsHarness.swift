import Contracts
import Foundation
import HTTP
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

/// A running `coffer-payments` on a fresh database, with a recording stand-in for the services it
/// publishes to (a real `/internal/events` endpoint with an inbox, so tests see every event), helpers
/// for the operator and tenant APIs, and — when asked — the real sandbox as its providers and the real
/// ingress in front of it (the whole path a provider's webhook takes).
final class PaymentsHarness: @unchecked Sendable {
    let database: TestDatabase
    private(set) var process: ServiceProcess
    private var environment: [String: String]
    /// Records what payments publishes (to ingress, payouts and notifications alike, unless a real
    /// ingress runs: then only payouts' and notifications' share).
    let ingress: RecordingSubscriber
    let sandbox: ServiceProcess?
    let realIngress: ServiceProcess?
    let client = LoopHTTPClient()
    var baseURL: String { process.baseURL }
    var internalURL: String { process.internalURL }

    /// Where a path is served: `/internal/*`, `/admin/*` and `/metrics` only on the internal listener.
    static func listener(for path: String, of process: ServiceProcess) -> String {
        ServiceListeners.isInternal(String(path.prefix { $0 != "?" })) ? process.internalURL : process.baseURL
    }

    /// Short delays so tests run in seconds.
    static let sandboxEnvironment = [
        "SANDBOX_AUTO_COMPLETE_DELAY": "300ms", "SANDBOX_WEBHOOK_ATTEMPTS": "6", "SANDBOX_WEBHOOK_RETRY_BASE": "100ms",
        "SANDBOX_WEBHOOK_RETRY_MAX": "500ms", "SANDBOX_WEBHOOK_TIMEOUT": "2s", "SANDBOX_WEBHOOK_REORDER_WINDOW": "1s",
        "SANDBOX_OPERATIONS_FLUSH_INTERVAL": "50ms", "SANDBOX_TIMEOUT_HOLD": "5s",
    ]

    static func start(
        sandbox withSandbox: Bool = false, realIngress withIngress: Bool = false,
        extraEnvironment: [String: String] = [:]
    ) async throws -> PaymentsHarness {
        let database = try await TestDatabase.create()
        let recorder = try await RecordingSubscriber.start(database: database)
        var sandbox: ServiceProcess?
        if withSandbox || withIngress {
            sandbox = try ServiceProcess(
                binary: "coffer-sandbox",
                environment: TestStackEnvironment.variables(database: database, extra: sandboxEnvironment))
            try await sandbox?.waitUntilReady()
        }
        let paymentsPort = ServiceProcess.freePort(), paymentsInternalPort = ServiceProcess.freePort()
        var ingressURL = recorder.baseURL
        var publicIngressURL = "https://hooks.example.test"
        var ingressProcess: ServiceProcess?
        if withIngress {
            let ingressPort = ServiceProcess.freePort(), ingressInternalPort = ServiceProcess.freePort()
            ingressURL = "http://127.0.0.1:\(ingressInternalPort)"
            publicIngressURL = "http://127.0.0.1:\(ingressPort)"
            ingressProcess = try ServiceProcess(
                binary: "coffer-ingress", port: ingressPort, internalPort: ingressInternalPort,
                environment: TestStackEnvironment.variables(
                    database: database,
                    extra: [
                        "PAYMENTS_INTERNAL_URL": "http://127.0.0.1:\(paymentsInternalPort)",
                        "PAYOUTS_INTERNAL_URL": recorder.baseURL,
                        "OUTBOX_RETRY_BASE": "50ms", "OUTBOX_RETRY_MAX": "500ms",
                    ]))
            try await ingressProcess?.waitUntilReady()
        }
        var environment = TestStackEnvironment.variables(
            database: database,
            extra: [
                "INGRESS_INTERNAL_URL": ingressURL, "PUBLIC_INGRESS_URL": publicIngressURL,
                "PAYOUTS_INTERNAL_URL": recorder.baseURL, "NOTIFICATIONS_INTERNAL_URL": recorder.baseURL,
                "OUTBOX_RETRY_BASE": "50ms", "OUTBOX_RETRY_MAX": "500ms",
                "PROVIDER_TIMEOUT": "2s", "IDEMPOTENCY_LEASE": "15s",
            ])
        for (key, value) in extraEnvironment { environment[key] = value }
        let process = try ServiceProcess(
            binary: "coffer-payments", port: paymentsPort, internalPort: paymentsInternalPort,
            environment: environment)
        try await process.waitUntilReady()
        return PaymentsHarness(
            database: database, process: process, ingress: recorder, environment: environment, sandbox: sandbox,
            realIngress: ingressProcess)
    }

    private init(
        database: TestDatabase, process: ServiceProcess, ingress: RecordingSubscriber, environment: [String: String],
        sandbox: ServiceProcess?, realIngress: ServiceProcess?
    ) {
        self.database = database
        self.process = process
        self.ingress = ingress
        self.environment = environment
        self.sandbox = sandbox
        self.realIngress = realIngress
    }

    /// Stops the process (SIGTERM, or SIGKILL when `kill`) and starts a new one on the same database,
    /// with `changes` applied to its environment.
    func restart(kill: Bool = false, changes: [String: String] = [:]) async throws {
        if kill {
            process.signal(SIGKILL)
            _ = await process.waitForExit()
        } else {
            _ = await process.stop()
        }
        for (key, value) in changes { environment[key] = value }
        process = try ServiceProcess(
            binary: "coffer-payments", port: process.port, internalPort: process.internalPort,
            environment: environment)
        try await process.waitUntilReady()
    }

    func stop() async {
        await process.stop()
        await realIngress?.stop()
        await sandbox?.stop()
        await ingress.stop()
        try? await database.drop()
    }

    // MARK: Calls

    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: JSONValue
        let text: String

        subscript(_ key: String) -> JSONValue? { body[key] }
        var errorCode: String? { body["error"]?["code"]?.stringValue }
        var id: String { body["id"]?.stringValue ?? "" }
    }

    /// Calls payments: `/admin/…`, `/internal/…` and `/metrics` on its internal listener unless `on` names a base URL.
    func call(
        _ method: HTTPMethod, _ path: String, bearer: String?, json: JSONValue? = nil, rawBody: [UInt8]? = nil,
        idempotencyKey: String? = nil, headers extra: HTTPHeaders = [:], on base: String? = nil
    ) async throws -> Answer {
        var headers = extra
        if let bearer { headers.add("Authorization", "Bearer " + bearer) }
        if let idempotencyKey { headers.add("Idempotency-Key", idempotencyKey) }
        let body = rawBody ?? json.map { $0.serialized() } ?? []
        if !body.isEmpty { headers.add("Content-Type", "application/json") }
        let url = (base ?? Self.listener(for: path, of: process)) + path
        let response = try await client.send(
            HTTPClientRequest(
                method: method, url: url, headers: headers, body: body,
                timeout: .seconds(30)))
        let parsed = (try? JSONValue.parse(response.body)) ?? .null
        return Answer(status: response.status.code, headers: response.headers, body: parsed, text: response.bodyText)
    }

    func admin(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, idempotencyKey: String? = nil,
        token: String = TestStackEnvironment.adminToken
    ) async throws -> Answer {
        try await call(method, path, bearer: token, json: json, idempotencyKey: idempotencyKey)
    }

    // MARK: Seeding

    struct Tenant: Sendable {
        let id: String
        let key: String
        let keyID: String
    }

    /// A tenant with a `full` test key (settings merged over the defaults).
    func createTenant(
        name: String = "Test shop", settings: JSONValue = [:], file: StaticString = #filePath,
        line: UInt = #line
    ) async throws -> Tenant {
        let answer = try await admin(.POST, "/admin/tenants", json: ["name": .string(name), "settings": settings])
        XCTAssertEqual(answer.status, 201, answer.text, file: file, line: line)
        let key = answer["api_key"]
        return Tenant(id: answer.id, key: key?["secret"]?.stringValue ?? "", keyID: key?["id"]?.stringValue ?? "")
    }

    func createKey(tenantID: String, role: String, livemode: Bool = false) async throws -> (id: String, secret: String)
    {
        let answer = try await admin(
            .POST, "/admin/tenants/\(tenantID)/api-keys", json: ["role": .string(role), "livemode": .bool(livemode)])
        XCTAssertEqual(answer.status, 201, answer.text)
        return (answer.id, answer["secret"]?.stringValue ?? "")
    }

    /// Posts events to payments' inbox as ingress or payouts would.
    func postEvents(_ events: [EventEnvelope]) async throws -> HTTPClientResponse {
        let body = EventEnvelope.encodeBatch(events)
        var request = HTTPClientRequest(method: .POST, url: internalURL + "/internal/events", body: body)
        request.headers.add(
            InternalRequestSigner.headerName,
            TestStackEnvironment.signature(
                from: events.first?.source ?? "ingress", to: "payments", method: "POST", target: "/internal/events",
                body: body))
        return try await client.send(request)
    }

    /// `payee.upserted` as payouts publishes it.
    func upsertPayee(
        tenantID: String, payeeID: String = CofferID.generate(.payee), recruiter: String? = nil,
        version: Int64 = 1, livemode: Bool = false
    ) async throws -> String {
        let event = try EventEnvelope.make(
            type: MoneyEventType.payeeUpserted, source: "payouts", tenantID: tenantID, correlationID: nil,
            payload: PayeeUpserted(
                payeeID: PayeeID(trusted: payeeID), tenantID: TenantID(trusted: tenantID), livemode: livemode,
                recruiterPayeeID: recruiter.map(PayeeID.init(trusted:)),
                status: "active", version: version))
        let response = try await postEvents([event])
        XCTAssertEqual(response.status, .ok, response.bodyText)
        return payeeID
    }

    /// Sums of the ledger per account for a tenant (read as the superuser, outside row-level security).
    func ledgerBalances(tenantID: String) async throws -> [String: Int64] {
        let pool = database.pool(.admin)
        defer { Task { await pool.shutdown() } }
        var balances: [String: Int64] = [:]
        for row in try await pool.query(
            """
            SELECT account, sum(amount)::bigint FROM payments.ledger_entries WHERE tenant_id = \(tenantID) GROUP BY account
            """)
        {
            let (account, sum) = try row.decode((String, Int64).self)
            balances[account] = sum
        }
        return balances
    }

    /// Runs `body` as the superuser: tests inspect rows outside row-level security (which binds even
    /// the schema owner, as `FORCE` intends).
    func withSuperuserPool<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = database.pool(.admin)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}

// MARK: The sandbox as the tenant's providers

extension PaymentsHarness {
    var sandboxURL: String { sandbox?.baseURL ?? "" }

    struct Connection: Sendable {
        let json: JSONValue
        /// The provider credential (what a provider-side call, as the tenant's dashboard would make, uses).
        let secretKey: String
        var id: String { json["id"]?.stringValue ?? "" }
    }

    /// A Stripe connector on the sandbox, and the matching sandbox account (sending signed webhooks to
    /// the connector's `webhook_url` when `webhooks`).
    @discardableResult
    func connectStripe(
        _ tenant: Tenant, webhooks: Bool = false, priority: Int = 1, file: StaticString = #filePath,
        line: UInt = #line
    ) async throws -> Connection {
        let secretKey = "sk_test_" + Hex.encode((0..<12).map { _ in UInt8.random(in: 0...255) })
        let webhookSecret = "whsec_" + Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let connector = try await call(
            .PUT, "/v1/connectors/stripe", bearer: tenant.key,
            json: [
                "credentials": ["secret_key": .string(secretKey)], "webhook_secret": .string(webhookSecret),
                "api_base_url": .string(sandboxURL + "/stripe"), "priority": .int(Int64(priority)),
            ])
        XCTAssertEqual(connector.status, 200, connector.text, file: file, line: line)
        var account: [String: JSONValue] = ["provider": "stripe", "secret_key": .string(secretKey)]
        if webhooks {
            account["webhook_url"] = connector["webhook_url"] ?? .null
            account["webhook_secret"] = .string(webhookSecret)
        }
        try await sandboxControl(.POST, "/_sandbox/accounts", .object(account), expect: 201, file: file, line: line)
        return Connection(json: connector.body, secretKey: secretKey)
    }

    /// A Razorpay connector on the sandbox (webhooks to ingress when `webhooks`).
    @discardableResult
    func connectRazorpay(
        _ tenant: Tenant, priority: Int = 1, webhooks: Bool = false, file: StaticString = #filePath,
        line: UInt = #line
    ) async throws -> Connection {
        let keyID = "rzp_test_" + Hex.encode((0..<7).map { _ in UInt8.random(in: 0...255) })
        let keySecret = Hex.encode((0..<12).map { _ in UInt8.random(in: 0...255) })
        let webhookSecret = Hex.encode((0..<12).map { _ in UInt8.random(in: 0...255) })
        let connector = try await call(
            .PUT, "/v1/connectors/razorpay", bearer: tenant.key,
            json: [
                "credentials": ["key_id": .string(keyID), "key_secret": .string(keySecret)],
                "webhook_secret": .string(webhookSecret),
                "api_base_url": .string(sandboxURL + "/razorpay"), "priority": .int(Int64(priority)),
            ])
        XCTAssertEqual(connector.status, 200, connector.text, file: file, line: line)
        var account: [String: JSONValue] = [
            "provider": "razorpay", "key_id": .string(keyID), "key_secret": .string(keySecret),
        ]
        if webhooks {
            account["webhook_url"] = connector["webhook_url"] ?? .null
            account["webhook_secret"] = .string(webhookSecret)
        }
        try await sandboxControl(.POST, "/_sandbox/accounts", .object(account), expect: 201, file: file, line: line)
        return Connection(json: connector.body, secretKey: keySecret)
    }

    /// A PayPal connector on the sandbox, its signing certificate pinned (ingress fetches certificates
    /// only from PayPal's hosts), webhooks to ingress when `webhooks`.
    @discardableResult
    func connectPayPal(
        _ tenant: Tenant, priority: Int = 1, webhooks: Bool = false, file: StaticString = #filePath,
        line: UInt = #line
    ) async throws -> Connection {
        let clientID = "client-" + Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255) })
        let clientSecret = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let webhookID = "WH-" + Hex.encode((0..<6).map { _ in UInt8.random(in: 0...255) }).uppercased()
        let certificate = try await client.send(
            HTTPClientRequest(method: .GET, url: sandboxURL + "/_sandbox/paypal/certificate")
        ).bodyText
        let connector = try await call(
            .PUT, "/v1/connectors/paypal", bearer: tenant.key,
            json: [
                "credentials": ["client_id": .string(clientID), "client_secret": .string(clientSecret)],
                "webhook_id": .string(webhookID),
                "certificates": [.string(certificate)], "api_base_url": .string(sandboxURL + "/paypal"),
                "priority": .int(Int64(priority)),
            ])
        XCTAssertEqual(connector.status, 200, connector.text, file: file, line: line)
        var account: [String: JSONValue] = [
            "provider": "paypal", "client_id": .string(clientID), "client_secret": .string(clientSecret),
        ]
        if webhooks {
            account["webhook_url"] = connector["webhook_url"] ?? .null
            account["webhook_id"] = .string(webhookID)
        }
        try await sandboxControl(.POST, "/_sandbox/accounts", .object(account), expect: 201, file: file, line: line)
        return Connection(json: connector.body, secretKey: clientSecret)
    }

    @discardableResult
    func sandboxControl(
        _ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, expect: Int = 200,
        file: StaticString = #filePath,
        line: UInt = #line
    ) async throws -> JSONValue {
        let response = try await client.send(
            HTTPClientRequest(
                method: method, url: sandboxURL + path,
                headers: ["Content-Type": "application/json"], body: body?.serialized() ?? [],
                timeout: .seconds(10)))
        XCTAssertEqual(response.status.code, expect, response.bodyText, file: file, line: line)
        return (try? JSONValue.parse(response.body)) ?? .null
    }

    /// Misbehaviour for one provider (`fail_next`, `timeout_next`, `decline_next`, `webhook_duplicates`, …).
    func misbehave(_ provider: String, _ fields: [String: JSONValue]) async throws {
        var body = fields
        body["provider"] = .string(provider)
        try await sandboxControl(.POST, "/_sandbox/behaviour", .object(body))
    }

    /// The sandbox's proof that nothing ran twice: `clean` and the counts per kind.
    func operationsSummary(_ query: String = "") async throws -> JSONValue {
        try await sandboxControl(.GET, "/_sandbox/operations/summary" + (query.isEmpty ? "" : "?" + query))
    }

    func operations(_ query: String) async throws -> [JSONValue] {
        try await sandboxControl(.GET, "/_sandbox/operations?" + query)["data"]?.arrayValue ?? []
    }

    /// Events payments published of one type (as recorded by the stand-in subscriber).
    func published(_ type: String) -> [EventEnvelope] {
        ingress.applied.withLock { $0.filter { $0.type == type } }
    }

    func payment(_ id: String, _ tenant: Tenant) async throws -> Answer {
        try await call(.GET, "/v1/payments/\(id)", bearer: tenant.key)
    }
}
