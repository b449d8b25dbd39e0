import Foundation
import HTTP
import Platform
import Postgres
import Shared
import Synchronization
import TestSupport
import XCTest

/// The operator route on Coffer's real HTTP server, `cofferctl audit verify` against it, and the
/// tenant-facing list.
final class AuditRoutesTests: XCTestCase {
    struct Stack {
        let harness: AuditTestHarness
        let runtime: ServiceRuntime
        let server: ServiceListeners
        /// Operator routes live on the internal listener.
        var url: String { "http://127.0.0.1:\(server.internalPort)" }

        func close() async throws {
            await server.shutdown()
            await runtime.database.shutdown()
            try await harness.close()
        }
    }

    func makeStack() async throws -> Stack {
        let harness = try await AuditTestHarness.make()
        let port = ServiceProcess.freePort()
        var reader = ConfigReader(
            service: "payments",
            environment: [
                "COFFER_ENV": "test", "DATABASE_URL": harness.database.appURL,
                "COFFER_INTERNAL_SECRETS": TestStackEnvironment.internalSecrets,
                "COFFER_ADMIN_TOKENS": "alice:\(TestStackEnvironment.adminToken)", "PORT": String(port),
                "INTERNAL_PORT": "0",
                "HTTP_HOST": "127.0.0.1",
                "LOG_LEVEL": "critical",
            ])
        let common = CommonConfiguration(reader: &reader, defaultPort: port)
        try reader.finish()
        let runtime = ServiceRuntime(
            identity: ServiceIdentity(name: "payments", defaultPort: port, migrations: []), configuration: common)
        let router = Router()
        AuditRoutes.register(on: router, runtime: runtime, schema: AuditTestHarness.schema)
        let server = runtime.makeServer(router: router)
        try await server.start()
        return Stack(harness: harness, runtime: runtime, server: server)
    }

    /// Runs the command as cofferctl would, capturing its lines.
    func cofferctl(_ arguments: [String], urls: [String: String], token: String? = TestStackEnvironment.adminToken)
        async -> (code: Int32, output: String)
    {
        let lines = Mutex<[String]>([])
        let code = await AuditVerifyCommandLine.run(
            arguments: arguments, serviceURLs: urls, adminToken: token,
            write: { line in lines.withLock { $0.append(line) } })
        return (code, lines.withLock { $0.joined(separator: "\n") })
    }

    func testVerifyRouteNeedsAnOperatorAndAnswersTheReport() async throws {
        let stack = try await makeStack()
        try await stack.harness.record((0..<4).map { AuditTestHarness.entry($0 < 2 ? "ten_1" : nil, $0) })
        try await stack.harness.sealer().sealPending()
        let client = LoopHTTPClient()
        let anonymous = try await client.send(HTTPClientRequest(method: .GET, url: stack.url + "/admin/audit/verify"))
        XCTAssertEqual(anonymous.status, .unauthorized)
        let wrong = try await client.send(
            HTTPClientRequest(
                method: .GET, url: stack.url + "/admin/audit/verify",
                headers: ["Authorization": "Bearer not-the-token"]))
        XCTAssertEqual(wrong.status, .unauthorized)
        let auth: HTTPHeaders = ["Authorization": "Bearer \(TestStackEnvironment.adminToken)"]
        let all = try await client.send(
            HTTPClientRequest(method: .GET, url: stack.url + "/admin/audit/verify", headers: auth))
        XCTAssertEqual(all.status, .ok)
        let body = try JSONValue.parse(all.body)
        XCTAssertEqual(body["ok"], true)
        XCTAssertEqual(body["tenants"], .int(2))
        XCTAssertEqual(body["rows"], .int(4))
        XCTAssertEqual(body["problems"], .array([]))
        let platform = try JSONValue.parse(
            try await client.send(
                HTTPClientRequest(
                    method: .GET, url: stack.url + "/admin/audit/verify?tenant_id=platform", headers: auth)
            ).body)
        XCTAssertEqual(platform["tenants"], .int(1))
        XCTAssertEqual(platform["rows"], .int(2))
        try await stack.close()
    }

    func testCofferctlAuditVerifyPrintsProblemsAndExitsByWhatItFound() async throws {
        let stack = try await makeStack()
        try await stack.harness.record((0..<6).map { AuditTestHarness.entry("ten_42", $0) })
        try await stack.harness.sealer().sealPending()
        let unreachable = "http://127.0.0.1:\(ServiceProcess.freePort())"

        // Untouched: exit 0.
        let clean = await cofferctl(["verify", "--service", "payments"], urls: ["payments": stack.url])
        XCTAssertEqual(clean.code, 0, clean.output)
        XCTAssertTrue(clean.output.contains("VERIFIED"), clean.output)
        XCTAssertTrue(clean.output.contains("1 chains, 6 rows"), clean.output)

        // A service down: exit 2, and it says which.
        let down = await cofferctl(["verify"], urls: ["payments": stack.url, "payouts": unreachable])
        XCTAssertEqual(down.code, 2, down.output)
        XCTAssertTrue(down.output.contains("payouts") && down.output.contains("UNREACHABLE"), down.output)

        // A refused token cannot verify anything: exit 2; no token at all: exit 2 with a message.
        let refused = await cofferctl(
            ["verify", "--service", "payments"], urls: ["payments": stack.url], token: "wrong")
        XCTAssertEqual(refused.code, 2, refused.output)
        XCTAssertTrue(refused.output.contains("HTTP 401"), refused.output)
        let missing = await cofferctl(["verify"], urls: ["payments": stack.url], token: nil)
        XCTAssertEqual(missing.code, 2)
        XCTAssertTrue(missing.output.contains("COFFER_ADMIN_TOKEN"), missing.output)

        // History edited: exit 1, with the kind and location printed; it wins over the unreachable service.
        let edited =
            try await stack.harness.app.query(
                "SELECT id FROM svc.audit_log WHERE chain_seq = 4"
            ).first?.decode(Int64.self, at: 0) ?? -1
        try await stack.harness.tamper(
            "UPDATE svc.audit_log SET after = '{\"status\":\"refunded\"}' WHERE chain_seq = 4")
        let tampered = await cofferctl(["verify"], urls: ["payments": stack.url, "payouts": unreachable])
        XCTAssertEqual(tampered.code, 1, tampered.output)
        XCTAssertTrue(tampered.output.contains("PROBLEMS"), tampered.output)
        XCTAssertTrue(tampered.output.contains("hash_mismatch"), tampered.output)
        XCTAssertTrue(
            tampered.output.contains("ten_42") && tampered.output.contains("seq 4")
                && tampered.output.contains("row \(edited)"),
            tampered.output)

        // --json: one document with the same verdict; --tenant narrows to one chain.
        let json = await cofferctl(
            ["verify", "--service", "payments", "--json", "--tenant", "ten_42"], urls: ["payments": stack.url])
        XCTAssertEqual(json.code, 1)
        let document = try JSONValue.parse(json.output)
        XCTAssertEqual(document["ok"], false)
        XCTAssertEqual(document["exit_code"], .int(1))
        XCTAssertEqual(document["services"]?[0]?["state"], "problems")
        XCTAssertEqual(document["services"]?[0]?["report"]?["problems"]?[0]?["kind"], "hash_mismatch")
        XCTAssertEqual(document["services"]?[0]?["report"]?["problems"]?[0]?["row_id"], .int(edited))
        let other = await cofferctl(
            ["verify", "--service", "payments", "--tenant", "ten_other"], urls: ["payments": stack.url])
        XCTAssertEqual(other.code, 0, other.output)

        // Usage errors.
        let usage = await cofferctl(["verify", "--service", "ingress"], urls: [:])
        XCTAssertEqual(usage.code, 64)
        XCTAssertTrue(usage.output.contains("cofferctl audit verify [--service"), usage.output)
        let unknownCommand = await cofferctl(["frobnicate"], urls: [:]).code
        XCTAssertEqual(unknownCommand, 64)
        try await stack.close()
    }

    func testTenantListIsNewestFirstPagedAndOnlyTheTenantsOwn() async throws {
        let harness = try await AuditTestHarness.make()
        try await harness.record((0..<5).map { AuditTestHarness.entry($0 == 2 ? "ten_other" : "ten_1", $0) })
        try await harness.sealer().sealPending()
        try await harness.record([AuditTestHarness.entry("ten_1", 9)])  // not sealed yet
        let first = try await AuditQueries.list(
            schema: AuditTestHarness.schema, tenantID: "ten_1", limit: 3, startingAfter: nil,
            on: harness.app)
        XCTAssertTrue(first.hasMore)
        XCTAssertEqual(first.items.compactMap { $0["object_id"]?.stringValue }, ["pay_9", "pay_4", "pay_3"])
        let newest = first.items[0]
        XCTAssertEqual(newest["id"], "aud_6")
        XCTAssertEqual(newest["object"], "audit_entry")
        XCTAssertEqual(newest["chain_seq"], .null)
        XCTAssertEqual(newest["hash"], .null)
        let sealed = first.items[1]
        XCTAssertEqual(sealed["chain_seq"], .int(4))
        XCTAssertEqual(sealed["hash"]?.stringValue?.count, 64)
        XCTAssertEqual(sealed["after"]?["status"], "succeeded")
        XCTAssertEqual(sealed["correlation_id"], "corr-4")
        XCTAssertEqual(sealed["actor"], "key_test")
        XCTAssertEqual(sealed["action"], "payment.created")
        XCTAssertNotNil(sealed["created"]?.int64Value)
        XCTAssertNotNil(Timestamp.parse(sealed["occurred_at"]?.stringValue ?? ""))

        let second = try await AuditQueries.list(
            schema: AuditTestHarness.schema, tenantID: "ten_1", limit: 3,
            startingAfter: first.items.last?["id"]?.stringValue, on: harness.app)
        XCTAssertFalse(second.hasMore)
        XCTAssertEqual(second.items.compactMap { $0["object_id"]?.stringValue }, ["pay_1", "pay_0"])
        let body = try JSONValue.parse(second.body)
        XCTAssertEqual(body["object"], "list")
        XCTAssertEqual(body["has_more"], false)

        do {
            _ = try await AuditQueries.list(
                schema: AuditTestHarness.schema, tenantID: "ten_1", limit: 3, startingAfter: "pay_1",
                on: harness.app)
            XCTFail("a cursor that is not an aud_ id is refused")
        } catch let error as HTTPError {
            XCTAssertEqual(error.status, .badRequest)
            XCTAssertEqual(error.param, "starting_after")
        }
        try await harness.close()
    }
}
