import Ctl
import Foundation
import HTTP
import Postgres
import Shared
import TestSupport
import XCTest

/// The six processes as an operator runs them: real binaries, a real database, real signals.
final class FoundationProcessTests: XCTestCase {
    static let services = [
        "coffer-ingress", "coffer-payments", "coffer-payouts", "coffer-notifications", "coffer-monitoring",
        "coffer-sandbox",
    ]

    func testEveryServiceMigratesItsSchemaAndServesOperationalRoutes() async throws {
        let database = try await TestDatabase.create()
        let client = LoopHTTPClient()
        for binary in Self.services {
            let process = try ServiceProcess(
                binary: binary, environment: TestStackEnvironment.variables(database: database))
            try await process.waitUntilReady()
            let schema = String(binary.dropFirst("coffer-".count))
            let live = try await client.send(HTTPClientRequest(method: .GET, url: process.baseURL + "/health/live"))
            XCTAssertEqual(live.status, .ok, binary)
            let ready = try JSONValue.parse(
                try await client.send(HTTPClientRequest(method: .GET, url: process.baseURL + "/health/ready")).body)
            XCTAssertEqual(ready["status"], "ready", binary)
            XCTAssertEqual(ready.value(at: "checks.database"), "ok", binary)
            let version = try JSONValue.parse(
                try await client.send(HTTPClientRequest(method: .GET, url: process.baseURL + "/version")).body)
            XCTAssertEqual(version["service"]?.stringValue, schema)
            // Metrics are on the internal listener only.
            let publicMetrics = try await client.send(
                HTTPClientRequest(method: .GET, url: process.baseURL + "/metrics"))
            XCTAssertEqual(publicMetrics.status, .notFound, binary)
            let internalReady = try await client.send(
                HTTPClientRequest(method: .GET, url: process.internalURL + "/health/ready"))
            XCTAssertEqual(internalReady.status, .ok, binary)
            let metrics = try await client.send(HTTPClientRequest(method: .GET, url: process.internalURL + "/metrics"))
                .bodyText
            XCTAssertTrue(metrics.contains("# TYPE coffer_http_requests_total counter"), binary)
            XCTAssertTrue(
                metrics.contains("coffer_http_requests_total{method=\"GET\",route=\"/health/ready\",status=\"200\"} "),
                binary)
            XCTAssertTrue(metrics.contains("process_resident_memory_bytes"), binary)
            let pool = database.pool(.owner)
            let applied = try await pool.query("SELECT count(*) FROM \(unsafeSQL: schema).schema_migrations").first?
                .decode(Int64.self, at: 0)
            XCTAssertGreaterThanOrEqual(applied ?? 0, 1, binary)
            await pool.shutdown()
            let code = await process.stop()
            XCTAssertEqual(code, 0, "\(binary) did not exit cleanly:\n\(process.output.suffix(2000))")
            let lines = process.output.split(separator: "\n").filter { $0.hasPrefix("{") }
            XCTAssertFalse(lines.isEmpty)
            for line in lines {
                let json = try JSONValue.parse(Array(line.utf8))
                XCTAssertEqual(json["service"]?.stringValue, schema)
                XCTAssertNotNil(json["level"]?.stringValue)
                XCTAssertNotNil(json["correlation_id"], "every line carries correlation_id")
                XCTAssertNotNil(json["tenant_id"], "every line carries tenant_id")
            }
            XCTAssertFalse(
                process.output.contains(TestStackEnvironment.pairSecret("payments", schema)), "no secret reaches a log")
        }
        try await database.drop()
    }

    func testReadinessFollowsTheDatabaseWithoutARestart() async throws {
        let cluster = try await TestPostgresServer.start()
        let url = cluster.url(database: "postgres")
        let process = try ServiceProcess(
            binary: "coffer-ingress",
            environment: [
                "COFFER_ENV": "test", "DATABASE_URL": url, "DATABASE_OWNER_URL": url,
                "COFFER_INTERNAL_SECRETS": TestStackEnvironment.internalSecrets,
                "COFFER_MASTER_KEY": TestStackEnvironment.masterKey,
            ])
        try await process.waitUntilReady()
        let client = LoopHTTPClient()
        try await cluster.stopServer()
        var sawNotReady = false
        for _ in 0..<50 {
            let response = try await client.send(
                HTTPClientRequest(method: .GET, url: process.baseURL + "/health/ready", timeout: .seconds(5)))
            if response.status == .serviceUnavailable {
                sawNotReady = true
                XCTAssertEqual(try JSONValue.parse(response.body).value(at: "checks.database"), "unreachable")
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertTrue(sawNotReady, "ready must turn 503 while the database is down")
        let live = try await client.send(HTTPClientRequest(method: .GET, url: process.baseURL + "/health/live"))
        XCTAssertEqual(live.status, .ok, "the process itself is alive")
        try await cluster.startServer()
        try await process.waitUntilReady(timeout: .seconds(20))
        XCTAssertNil(process.pollExit(), "recovered without a restart")
        let stopped = await process.stop()
        XCTAssertEqual(stopped, 0)
        await cluster.destroy()
    }

    func testSIGTERMLetsAnInFlightRequestFinish() async throws {
        let database = try await TestDatabase.create()
        let process = try ServiceProcess(
            binary: "coffer-sandbox", environment: TestStackEnvironment.variables(database: database))
        try await process.waitUntilReady()
        let socket = try RawSocket(port: process.port, readTimeout: .seconds(10))
        try socket.send("GET /_sandbox/echo?delay_ms=1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(300))
        process.signal(SIGTERM)
        let response = try XCTUnwrap(socket.readResponses(1).first)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try JSONValue.parse(response.body)["delayed_ms"]?.int64Value, 1500)
        XCTAssertEqual(response.header("Connection"), "close")
        let exitCode = await process.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(exitCode, 0)
        XCTAssertTrue(process.output.contains("\"shutdown requested\""))
        XCTAssertThrowsError(try RawSocket(port: process.port), "nothing listens after exit")
        try await database.drop()
    }

    func testAChangedAppliedMigrationStopsStartUp() async throws {
        let database = try await TestDatabase.create()
        let environment = TestStackEnvironment.variables(database: database)
        let first = try ServiceProcess(binary: "coffer-payments", environment: environment)
        try await first.waitUntilReady()
        let stopped = await first.stop()
        XCTAssertEqual(stopped, 0)
        let owner = database.pool(.owner)
        try await owner.execute("UPDATE payments.schema_migrations SET checksum = 'edited' WHERE version = 1")
        await owner.shutdown()
        let second = try ServiceProcess(binary: "coffer-payments", environment: environment)
        let code = await second.waitForExit(timeout: .seconds(20))
        XCTAssertEqual(code, 1)
        XCTAssertTrue(second.output.contains("migration") && second.output.contains("1"), second.output)
        XCTAssertTrue(
            second.output.lowercased().contains("checksum") || second.output.lowercased().contains("changed"),
            second.output)
        try await database.drop()
    }

    func testConfigurationProblemsAreListedTogetherAndExit78() async throws {
        let process = try ServiceProcess(
            binary: "coffer-payouts",
            environment: [
                "DATABASE_URL": "", "DATABASE_OWNER_URL": "", "COFFER_INTERNAL_SECRETS": "payments>payouts:short",
                "LOG_LEVEL": "chatty",
                "HTTP_IDLE_TIMEOUT": "soon", "COFFER_ENV": "staging",
            ])
        let exitCode = await process.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(exitCode, 78)
        let output = process.output
        for expected in [
            "DATABASE_URL is required", "the secret of payments>payouts must be at least 16 characters",
            "LOG_LEVEL must be one of",
            "HTTP_IDLE_TIMEOUT must be a duration", "COFFER_ENV must be one of",
        ] {
            XCTAssertTrue(output.contains(expected), "missing \(expected) in:\n\(output)")
        }
        XCTAssertFalse(output.contains("short"), "a secret's value is never echoed")
    }

    func testCofferctlStatusReportsEachService() async throws {
        let database = try await TestDatabase.create()
        let ingress = try ServiceProcess(
            binary: "coffer-ingress", environment: TestStackEnvironment.variables(database: database))
        try await ingress.waitUntilReady()
        final class Lines: @unchecked Sendable { var text: [String] = [] }
        let lines = Lines()
        let code = await CofferCtl.main(
            arguments: ["status"],
            environment: [
                "INGRESS_URL": ingress.baseURL, "PAYMENTS_URL": "http://127.0.0.1:1",
                "PAYOUTS_URL": "http://127.0.0.1:1",
                "NOTIFICATIONS_URL": "http://127.0.0.1:1", "MONITORING_URL": "http://127.0.0.1:1",
                "SANDBOX_URL": "http://127.0.0.1:1",
            ],
            output: CtlOutput { lines.text.append($0) })
        XCTAssertEqual(code, 1, "not every service is up")
        let ingressLine = try XCTUnwrap(lines.text.first { $0.hasPrefix("ingress") })
        XCTAssertTrue(ingressLine.contains("ready") && ingressLine.contains("0.1.0"), ingressLine)
        XCTAssertTrue(lines.text.first { $0.hasPrefix("payments") }?.contains("unreachable") ?? false)
        let stopped = await ingress.stop()
        XCTAssertEqual(stopped, 0)
        try await database.drop()

        let help = Lines()
        let helpCode = await CofferCtl.main(arguments: ["--help"], output: CtlOutput { help.text.append($0) })
        XCTAssertEqual(helpCode, 0)
        XCTAssertTrue(help.text.joined().contains("status"))
        let unknownCode = await CofferCtl.main(arguments: ["frobnicate"], output: CtlOutput { _ in })
        XCTAssertEqual(unknownCode, 64)
    }
}
