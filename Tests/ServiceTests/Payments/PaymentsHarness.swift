import Foundation
import HTTP
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

/// A running `coffer-payments` on a fresh database, with a recording stand-in for ingress (a real
/// `/internal/events` endpoint with an inbox, so tests see the events payments publishes), and helpers
/// for the operator and tenant APIs.
final class PaymentsHarness: @unchecked Sendable {
    let database: TestDatabase
    private(set) var process: ServiceProcess
    private var environment: [String: String]
    let ingress: RecordingSubscriber
    let client = LoopHTTPClient()
    let signer = InternalRequestSigner(secret: TestStackEnvironment.internalSecret)
    var baseURL: String { process.baseURL }

    static func start(extraEnvironment: [String: String] = [:]) async throws -> PaymentsHarness {
        let database = try await TestDatabase.create()
        let ingress = try await RecordingSubscriber.start(database: database)
        var environment = TestStackEnvironment.variables(database: database, extra: [
            "INGRESS_URL": ingress.baseURL, "PUBLIC_INGRESS_URL": "https://hooks.example.test",
            "OUTBOX_RETRY_BASE": "50ms", "OUTBOX_RETRY_MAX": "500ms",
            "PROVIDER_TIMEOUT": "2s", "IDEMPOTENCY_LEASE": "15s",
        ])
        for (key, value) in extraEnvironment { environment[key] = value }
        let process = try ServiceProcess(binary: "coffer-payments", environment: environment)
        try await process.waitUntilReady()
        return PaymentsHarness(database: database, process: process, ingress: ingress, environment: environment)
    }

    private init(database: TestDatabase, process: ServiceProcess, ingress: RecordingSubscriber, environment: [String: String]) {
        self.database = database
        self.process = process
        self.ingress = ingress
        self.environment = environment
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
        process = try ServiceProcess(binary: "coffer-payments", environment: environment)
        try await process.waitUntilReady()
    }

    func stop() async {
        await process.stop()
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

    func call(_ method: HTTPMethod, _ path: String, bearer: String?, json: JSONValue? = nil, rawBody: [UInt8]? = nil,
              idempotencyKey: String? = nil, headers extra: HTTPHeaders = [:]) async throws -> Answer {
        var headers = extra
        if let bearer { headers.add("Authorization", "Bearer " + bearer) }
        if let idempotencyKey { headers.add("Idempotency-Key", idempotencyKey) }
        let body = rawBody ?? json.map { $0.serialized() } ?? []
        if !body.isEmpty { headers.add("Content-Type", "application/json") }
        let response = try await client.send(HTTPClientRequest(method: method, url: baseURL + path, headers: headers, body: body,
                                                               timeout: .seconds(30)))
        let parsed = (try? JSONValue.parse(response.body)) ?? .null
        return Answer(status: response.status.code, headers: response.headers, body: parsed, text: response.bodyText)
    }

    func admin(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil, idempotencyKey: String? = nil,
               token: String = TestStackEnvironment.adminToken) async throws -> Answer {
        try await call(method, path, bearer: token, json: json, idempotencyKey: idempotencyKey)
    }

    // MARK: Seeding

    struct Tenant: Sendable {
        let id: String
        let key: String
        let keyID: String
    }

    /// A tenant with a `full` test key (settings merged over the defaults).
    func createTenant(name: String = "Test shop", settings: JSONValue = [:], file: StaticString = #filePath,
                      line: UInt = #line) async throws -> Tenant {
        let answer = try await admin(.POST, "/admin/tenants", json: ["name": .string(name), "settings": settings])
        XCTAssertEqual(answer.status, 201, answer.text, file: file, line: line)
        let key = answer["api_key"]
        return Tenant(id: answer.id, key: key?["secret"]?.stringValue ?? "", keyID: key?["id"]?.stringValue ?? "")
    }

    func createKey(tenantID: String, role: String) async throws -> (id: String, secret: String) {
        let answer = try await admin(.POST, "/admin/tenants/\(tenantID)/api-keys", json: ["role": .string(role)])
        XCTAssertEqual(answer.status, 201, answer.text)
        return (answer.id, answer["secret"]?.stringValue ?? "")
    }

    /// Posts events to payments' inbox as ingress or payouts would.
    func postEvents(_ events: [EventEnvelope]) async throws -> HTTPClientResponse {
        let body = EventEnvelope.encodeBatch(events)
        var request = HTTPClientRequest(method: .POST, url: baseURL + "/internal/events", body: body)
        request.headers.add(InternalRequestSigner.headerName, signer.signature(
            method: "POST", target: "/internal/events", body: body, timestamp: Int64(Date().timeIntervalSince1970)))
        return try await client.send(request)
    }

    /// `payee.upserted` as payouts publishes it.
    func upsertPayee(tenantID: String, payeeID: String = CofferID.generate(.payee), recruiter: String? = nil,
                     version: Int64 = 1) async throws -> String {
        let event = try EventEnvelope.make(type: MoneyEventType.payeeUpserted, source: "payouts", tenantID: tenantID, correlationID: nil,
                                           payload: PayeeUpserted(payeeID: payeeID, tenantID: tenantID, recruiterPayeeID: recruiter,
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
        for row in try await pool.query("""
            SELECT account, sum(amount)::bigint FROM payments.ledger_entries WHERE tenant_id = \(tenantID) GROUP BY account
            """) {
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
