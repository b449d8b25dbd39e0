import Contracts
import Foundation
import HTTP
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

/// The money-out path for real: `coffer-payments` (tenants, keys, connectors, the ledger),
/// `coffer-payouts` under test, and the sandbox as the providers, on one fresh database. A recording
/// stand-in plays notifications (and ingress, for payments' tenancy events), so tests see every event.
final class PayoutsHarness: @unchecked Sendable {
    let database: TestDatabase
    private(set) var payments: ServiceProcess
    private var paymentsEnvironment: [String: String]
    private(set) var payouts: ServiceProcess
    private var environment: [String: String]
    let recorder: RecordingSubscriber
    let sandbox: ServiceProcess
    let client = LoopHTTPClient()
    var sandboxURL: String { sandbox.baseURL }

    /// With `ingress`, a real `coffer-ingress` receives the sandbox's signed payout webhooks and hands
    /// them to payouts (and payments' tenancy events go to it instead of the recorder).
    /// `prepare` runs on the fresh database before any service starts (a test that seeds rows as an
    /// earlier version wrote them, then lets the services migrate them).
    static func start(
        ingress withIngress: Bool = false, payoutsEnvironment: [String: String] = [:],
        sandboxEnvironment: [String: String] = [:], paymentsEnvironment extraPayments: [String: String] = [:],
        prepare: ((TestDatabase) async throws -> Void)? = nil
    ) async throws -> PayoutsHarness {
        let database = try await TestDatabase.create()
        try await prepare?(database)
        let recorder = try await RecordingSubscriber.start(database: database)
        var sandboxVariables = PaymentsHarness.sandboxEnvironment
        sandboxVariables["SANDBOX_PAYOUT_DELAY"] = "200ms"
        for (key, value) in sandboxEnvironment { sandboxVariables[key] = value }
        let sandbox = try ServiceProcess(
            binary: "coffer-sandbox",
            environment: TestStackEnvironment.variables(database: database, extra: sandboxVariables))
        try await sandbox.waitUntilReady()
        let paymentsPort = ServiceProcess.freePort(), payoutsPort = ServiceProcess.freePort()
        let paymentsInternalPort = ServiceProcess.freePort(), payoutsInternalPort = ServiceProcess.freePort()
        var ingress: ServiceProcess?
        if withIngress {
            ingress = try ServiceProcess(
                binary: "coffer-ingress",
                environment: TestStackEnvironment.variables(
                    database: database,
                    extra: [
                        "PAYMENTS_INTERNAL_URL": "http://127.0.0.1:\(paymentsInternalPort)",
                        "PAYOUTS_INTERNAL_URL": "http://127.0.0.1:\(payoutsInternalPort)",
                        "OUTBOX_RETRY_BASE": "50ms", "OUTBOX_RETRY_MAX": "500ms",
                    ]))
            try await ingress?.waitUntilReady()
        }
        var paymentsEnvironment = TestStackEnvironment.variables(
            database: database,
            extra: [
                "INGRESS_INTERNAL_URL": ingress?.internalURL ?? recorder.baseURL,
                "PUBLIC_INGRESS_URL": "https://hooks.example.test",
                "PAYOUTS_INTERNAL_URL": "http://127.0.0.1:\(payoutsInternalPort)",
                "NOTIFICATIONS_INTERNAL_URL": recorder.baseURL, "OUTBOX_RETRY_BASE": "50ms",
                "OUTBOX_RETRY_MAX": "500ms",
            ])
        for (key, value) in extraPayments { paymentsEnvironment[key] = value }
        let payments = try ServiceProcess(
            binary: "coffer-payments", port: paymentsPort, internalPort: paymentsInternalPort,
            environment: paymentsEnvironment)
        try await payments.waitUntilReady()
        var environment = TestStackEnvironment.variables(
            database: database,
            extra: [
                "PAYMENTS_INTERNAL_URL": payments.internalURL, "NOTIFICATIONS_INTERNAL_URL": recorder.baseURL,
                "OUTBOX_RETRY_BASE": "50ms",
                "OUTBOX_RETRY_MAX": "500ms",
                "PROVIDER_TIMEOUT": "2s", "PAYOUT_LEASE": "4s", "PAYOUT_PENDING_RECHECK": "1s",
                "PAYOUT_RETRY_BASE": "100ms",
                "PAYOUT_RETRY_MAX": "500ms", "IDEMPOTENCY_LEASE": "15s",
            ])
        for (key, value) in payoutsEnvironment { environment[key] = value }
        let payouts = try ServiceProcess(
            binary: "coffer-payouts", port: payoutsPort, internalPort: payoutsInternalPort, environment: environment)
        try await payouts.waitUntilReady()
        try await payouts.waitForMetric("coffer_tenancy_confirmation_age_seconds") { $0 >= 0 }
        return PayoutsHarness(
            database: database, payments: payments, paymentsEnvironment: paymentsEnvironment, payouts: payouts,
            environment: environment, recorder: recorder, sandbox: sandbox, ingress: ingress)
    }

    let ingress: ServiceProcess?

    private init(
        database: TestDatabase, payments: ServiceProcess, paymentsEnvironment: [String: String],
        payouts: ServiceProcess,
        environment: [String: String], recorder: RecordingSubscriber, sandbox: ServiceProcess, ingress: ServiceProcess?
    ) {
        self.ingress = ingress
        self.paymentsEnvironment = paymentsEnvironment
        self.database = database
        self.payments = payments
        self.payouts = payouts
        self.environment = environment
        self.recorder = recorder
        self.sandbox = sandbox
    }

    /// Stops payouts (SIGKILL when `kill`) and starts it again on the same database and port.
    func restartPayouts(kill: Bool = false, changes: [String: String] = [:]) async throws {
        if kill {
            payouts.signal(SIGKILL)
            _ = await payouts.waitForExit()
        } else {
            _ = await payouts.stop()
        }
        for (key, value) in changes { environment[key] = value }
        payouts = try ServiceProcess(
            binary: "coffer-payouts", port: payouts.port, internalPort: payouts.internalPort, environment: environment)
        try await payouts.waitUntilReady()
        // Money out waits until the new process has confirmed its tenancy copy (503 tenancy_stale before).
        try await payouts.waitForMetric("coffer_tenancy_confirmation_age_seconds") { $0 >= 0 }
    }

    /// Restarts payments (gracefully) with `changes` applied to its environment.
    func restartPayments(changes: [String: String]) async throws {
        _ = await payments.stop()
        for (key, value) in changes { paymentsEnvironment[key] = value }
        payments = try ServiceProcess(
            binary: "coffer-payments", port: payments.port, internalPort: payments.internalPort,
            environment: paymentsEnvironment)
        try await payments.waitUntilReady()
    }

    func stop() async {
        await payouts.stop()
        await payments.stop()
        await ingress?.stop()
        await sandbox.stop()
        await recorder.stop()
        try? await database.drop()
    }

    // MARK: Calls

    typealias Answer = PaymentsHarness.Answer

    func call(
        _ method: HTTPMethod, _ path: String, bearer: String?, json: JSONValue? = nil, rawBody: [UInt8]? = nil,
        contentType: String = "application/json", idempotencyKey: String? = nil, on base: String? = nil
    ) async throws -> Answer {
        var headers: HTTPHeaders = [:]
        if let bearer { headers.add("Authorization", "Bearer " + bearer) }
        if let idempotencyKey { headers.add("Idempotency-Key", idempotencyKey) }
        let body = rawBody ?? json.map { $0.serialized() } ?? []
        if !body.isEmpty { headers.add("Content-Type", contentType) }
        let url = base.map { $0 + path } ?? PaymentsHarness.listener(for: path, of: payouts) + path
        let response = try await client.send(
            HTTPClientRequest(
                method: method, url: url, headers: headers, body: body,
                timeout: .seconds(60)))
        let parsed = (try? JSONValue.parse(response.body)) ?? .null
        return Answer(status: response.status.code, headers: response.headers, body: parsed, text: response.bodyText)
    }

    func admin(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, token: String = TestStackEnvironment.adminToken,
        onPayments: Bool = false
    ) async throws -> Answer {
        try await call(
            method, path, bearer: token, json: json,
            on: onPayments ? PaymentsHarness.listener(for: path, of: payments) : nil)
    }

    func sandboxControl(_ method: HTTPMethod, _ path: String, json: JSONValue? = nil) async throws -> JSONValue {
        let body = json?.serialized() ?? []
        let response = try await client.send(
            HTTPClientRequest(
                method: method, url: sandbox.baseURL + path,
                headers: body.isEmpty ? [:] : ["Content-Type": "application/json"], body: body))
        XCTAssertLessThan(response.status.code, 300, response.bodyText)
        return (try? JSONValue.parse(response.body)) ?? .null
    }

    // MARK: Seeding

    struct Tenant: Sendable {
        let id: String
        let key: String
        let keyID: String
        let connectorID: String
        /// The sandbox RazorpayX account behind the connector (its key id and business account number).
        let razorpayKeyID: String
        let razorpayAccount: String
    }

    /// A tenant (settings merged over the defaults) with a RazorpayX connector on the sandbox, known to
    /// payouts (its tenancy copy), its first payout run confirmed unless `confirmFirstRun` is false.
    func createTenant(
        settings: JSONValue = [:], confirmFirstRun: Bool = true, file: StaticString = #filePath,
        line: UInt = #line
    ) async throws -> Tenant {
        // Tests poll: a rate limit far above the default's 100 a minute.
        var merged = settings.objectValue ?? [:]
        merged["api_rate_limit_per_minute"] = merged["api_rate_limit_per_minute"] ?? 1_000_000
        let created = try await admin(
            .POST, "/admin/tenants", json: ["name": "Payroll shop", "settings": .object(merged)], onPayments: true)
        guard created.status == 201 else {
            XCTFail("tenant not created: \(created.text)", file: file, line: line)
            throw CancellationError()
        }
        let key = created["api_key"]?["secret"]?.stringValue ?? ""
        let keyID = created["api_key"]?["id"]?.stringValue ?? ""
        let unique = CofferID.generate(.request).suffix(12).lowercased()
        let keyIDRazorpay = "rzp_test_\(unique)", secret = "secret_\(unique)",
            account = "7878780080\(Int.random(in: 100_000...999_999))"
        var registration: [String: JSONValue] = [
            "provider": "razorpay", "key_id": .string(keyIDRazorpay), "key_secret": .string(secret),
            "account_number": .string(account),
        ]
        if let ingress {
            registration["webhook_url"] = .string(ingress.baseURL + "/webhooks/razorpay/" + created.id)
            registration["webhook_secret"] = "whsec_payouts"
        }
        _ = try await sandboxControl(.POST, "/_sandbox/accounts", json: .object(registration))
        let connector = try await call(
            .PUT, "/v1/connectors/razorpay", bearer: key,
            json: [
                "credentials": [
                    "key_id": .string(keyIDRazorpay), "key_secret": .string(secret), "account_number": .string(account),
                ],
                "webhook_secret": "whsec_payouts", "api_base_url": .string(sandbox.baseURL + "/razorpay"),
            ], on: payments.baseURL)
        XCTAssertEqual(connector.status, 200, connector.text, file: file, line: line)
        let tenant = Tenant(
            id: created.id, key: key, keyID: keyID, connectorID: connector.id, razorpayKeyID: keyIDRazorpay,
            razorpayAccount: account)
        // Payouts knows the tenant once its key authenticates there (tenancy events, or the snapshot).
        let known = await eventually(timeout: .seconds(20)) {
            (try? await self.call(.GET, "/v1/payees", bearer: key).status) == 200
        }
        XCTAssertTrue(known, "payouts never learned the tenant", file: file, line: line)
        let connectorKnown = await eventually(timeout: .seconds(20)) {
            (try? await self.superuserCount(
                "SELECT count(*) FROM payouts.connectors WHERE connector_id = '\(tenant.connectorID)'")) == 1
        }
        XCTAssertTrue(connectorKnown, "payouts never learned the connector", file: file, line: line)
        if confirmFirstRun {
            let confirmed = try await call(.POST, "/v1/payouts/confirm-first-run", bearer: key)
            XCTAssertEqual(confirmed.status, 200, confirmed.text, file: file, line: line)
        }
        return tenant
    }

    func createKey(_ tenant: Tenant, role: String, livemode: Bool = false) async throws -> String {
        let answer = try await admin(
            .POST, "/admin/tenants/\(tenant.id)/api-keys", json: ["role": .string(role), "livemode": .bool(livemode)],
            onPayments: true)
        XCTAssertEqual(answer.status, 201, answer.text)
        let secret = answer["secret"]?.stringValue ?? ""
        _ = await eventually(timeout: .seconds(20)) {
            (try? await self.call(.GET, "/v1/payees", bearer: secret).status) == 200
        }
        return secret
    }

    /// A payee paid by bank transfer (RazorpayX), credited `balance` minor units of `currency` by an operator.
    func createPayee(
        _ tenant: Tenant, type: String = "seller", account: String? = nil, ifsc: String = "HDFC0001234",
        balance: Int64 = 0,
        currency: String = "INR", file: StaticString = #filePath, line: UInt = #line
    ) async throws -> String {
        let number = account ?? String(Int64.random(in: 100_000_000_000...999_999_999_999))
        let payee = try await call(
            .POST, "/v1/payees", bearer: tenant.key,
            json: [
                "name": "Asha Rao", "type": .string(type), "email": "asha@example.com",
                "destination": [
                    "type": "bank_account", "account_number": .string(number), "ifsc": .string(ifsc),
                    "holder_name": "Asha Rao",
                ],
            ])
        XCTAssertEqual(payee.status, 201, payee.text, file: file, line: line)
        if balance > 0 { try await credit(payee.id, balance, currency: currency, file: file, line: line) }
        return payee.id
    }

    func credit(
        _ payeeID: String, _ amount: Int64, currency: String = "INR", file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let credit = try await admin(
            .POST, "/admin/payees/\(payeeID)/credits",
            json: ["amount": .int(amount), "currency": .string(currency), "reason": "test earnings"])
        XCTAssertEqual(credit.status, 201, credit.text, file: file, line: line)
    }

    func createPayout(
        _ tenant: Tenant, payee: String, amount: Int64, currency: String = "INR", key: String? = nil,
        idempotencyKey: String? = UUID().uuidString, extra: [String: JSONValue] = [:]
    ) async throws -> Answer {
        var body: [String: JSONValue] = [
            "payee_id": .string(payee), "amount": .int(amount), "currency": .string(currency), "purpose": "payout",
        ]
        for (name, value) in extra { body[name] = value }
        return try await call(
            .POST, "/v1/payouts", bearer: key ?? tenant.key, json: .object(body), idempotencyKey: idempotencyKey)
    }

    func payout(_ id: String, _ tenant: Tenant) async throws -> Answer {
        try await call(.GET, "/v1/payouts/\(id)", bearer: tenant.key)
    }

    func waitForStatus(_ id: String, _ tenant: Tenant, _ status: String, timeout: Duration = .seconds(30)) async -> Bool
    {
        await eventually(timeout: timeout) { (try? await self.payout(id, tenant)["status"]?.stringValue) == status }
    }

    func balance(_ payee: String, _ tenant: Tenant, currency: String = "INR") async throws -> (
        available: Int64, reserved: Int64
    ) {
        try await balance(payee, key: tenant.key, currency: currency)
    }

    func balance(_ payee: String, key: String, currency: String = "INR") async throws -> (
        available: Int64, reserved: Int64
    ) {
        let answer = try await call(.GET, "/v1/balances?payee_id=\(payee)", bearer: key)
        let entry = answer["data"]?.arrayValue?.first { $0["currency"]?.stringValue == currency }
        return (entry?["available"]?.int64Value ?? 0, entry?["reserved"]?.int64Value ?? 0)
    }

    /// Posts events to payouts' inbox as payments would (signed internal call).
    func postEvents(_ events: [EventEnvelope]) async throws -> HTTPClientResponse {
        let body = EventEnvelope.encodeBatch(events)
        var request = HTTPClientRequest(method: .POST, url: payouts.internalURL + "/internal/events", body: body)
        request.headers.add(
            InternalRequestSigner.headerName,
            TestStackEnvironment.signature(
                from: events.first?.source ?? "payments", to: "payouts", method: "POST", target: "/internal/events",
                body: body))
        return try await client.send(request)
    }

    /// `payee.credited` / `payee.debited` as payments publishes them.
    func balanceEvent(
        _ type: String, _ tenant: Tenant, payee: String, amount: Int64, currency: String = "INR",
        reason: String, source: String = CofferID.generate(.refund), livemode: Bool = false
    ) throws -> EventEnvelope {
        try EventEnvelope.make(
            type: type, source: "payments", tenantID: tenant.id, correlationID: nil,
            payload: PayeeBalanceChange(
                payeeID: PayeeID(trusted: payee), tenantID: TenantID(trusted: tenant.id), livemode: livemode,
                money: Money(minorUnits: amount, currency: Currency(code: currency)!), reason: reason,
                sourceID: source, paymentID: nil))
    }

    /// A RazorpayX payout as the sandbox holds it (what was actually paid, and where).
    func razorpayPayout(_ providerPayoutID: String, _ tenant: Tenant) async throws -> JSONValue {
        let credentials = Base64.encode(
            Array("\(tenant.razorpayKeyID):secret_\(tenant.razorpayKeyID.dropFirst("rzp_test_".count))".utf8))
        let response = try await client.send(
            HTTPClientRequest(
                method: .GET, url: sandbox.baseURL + "/razorpay/v1/payouts/" + providerPayoutID,
                headers: ["Authorization": "Basic " + credentials]))
        XCTAssertEqual(response.status.code, 200, response.bodyText)
        return (try? JSONValue.parse(response.body)) ?? .null
    }

    // MARK: Inspection (as the superuser, outside row-level security)

    func superuserCount(_ sql: String) async throws -> Int64 {
        let pool = database.pool(.admin)
        defer { Task { await pool.shutdown() } }
        return try await pool.query("\(unsafeSQL: sql)").first?.decode(Int64.self, at: 0) ?? 0
    }

    /// The sandbox's executed payout operations per Coffer payout id (`kind=payout`).
    func sandboxPayoutsByCofferID() async throws -> [String: Int] {
        let listed = try await sandboxControl(.GET, "/_sandbox/operations?kind=payout")
        var counts: [String: Int] = [:]
        for operation in listed["data"]?.arrayValue ?? [] {
            if let id = operation["coffer_id"]?.stringValue { counts[id, default: 0] += 1 }
        }
        return counts
    }

    /// Payments' ledger: what it says the tenant owes the payee (payee payable is a liability: credits are negative lines).
    func ledgerPayable(_ tenantID: String, payee: String) async throws -> Int64 {
        let pool = database.pool(.admin)
        defer { Task { await pool.shutdown() } }
        return try await pool.query(
            """
            SELECT coalesce(-sum(amount), 0)::bigint FROM payments.ledger_entries WHERE tenant_id = \(tenantID) AND account = \("payee_payable:" + payee)
            """
        ).first?.decode(Int64.self, at: 0) ?? 0
    }
}
