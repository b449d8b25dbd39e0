import Foundation
import HTTP
import Shared
import Synchronization
import TestSupport
import XCTest

/// Exactly once under concurrency, no acknowledged loss under kill -9, honest 503s when storage is down.
final class IngressDurabilityTests: XCTestCase {
    func testFiftyConcurrentDeliveriesOfOneEventStoreOneAndApplyOnce() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_c"])
        let body = ProviderSigning.stripeEvent(id: "evt_same")
        let results = try await withThrowingTaskGroup(of: (Int, String?, Bool?).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    let (response, json) = try await harness.send(
                        "/webhooks/stripe/\(tenant)", body: body,
                        headers: ProviderSigning.stripe(secret: "whsec_c", body: body))
                    return (response.status.code, json?["id"]?.stringValue, json?["duplicate"]?.boolValue)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertTrue(results.allSatisfy { $0.0 == 200 }, "\(results.map(\.0))")
        XCTAssertEqual(Set(results.compactMap(\.1)).count, 1, "every answer names the same stored event")
        XCTAssertEqual(results.filter { $0.2 == false }.count, 1, "exactly one was new")
        await XCTAssertEqualAsync(try await harness.count("SELECT count(*) FROM ingress.webhook_events"), 1)
        await XCTAssertEqualAsync(
            try await harness.count("SELECT count(*) FROM ingress.webhook_events WHERE delivery_status IS NOT NULL"), 1)
        try await harness.waitForDeliveries(1)
        try await Task.sleep(for: .milliseconds(500))
        await XCTAssertEqualAsync(try await harness.count("SELECT count(*) FROM subscriber.inbox"), 1, "applied once")
        await XCTAssertEqualAsync(
            try await harness.count("SELECT count(*) FROM ingress.webhook_attempts WHERE outcome = 'duplicate'"), 49)
        await harness.stop()
    }

    func testKillNineUnderLoadLosesNoAcknowledgedWebhook() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_k"])
        final class Acknowledged: Sendable { let ids = Mutex<Set<String>>([]) }
        let acknowledged = Acknowledged()
        let port = harness.process.port
        let loader = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        let client = LoopHTTPClient()
                        for index in 0..<2000 {
                            let eventID = "evt_w\(worker)_\(index)"
                            let body = ProviderSigning.stripeEvent(id: eventID)
                            var headers = ProviderSigning.stripe(secret: "whsec_k", body: body)
                            headers.add("Content-Type", "application/json")
                            guard
                                let response = try? await client.send(
                                    HTTPClientRequest(
                                        method: .POST, url: "http://127.0.0.1:\(port)/webhooks/stripe/\(tenant)",
                                        headers: headers, body: body,
                                        timeout: .seconds(2), retryPolicy: RetryPolicy.none))
                            else { return }
                            if response.status == .ok { acknowledged.ids.withLock { _ = $0.insert(eventID) } }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        try await Task.sleep(for: .milliseconds(1500))
        harness.process.signal(SIGKILL)
        _ = await harness.process.waitForExit(timeout: .seconds(10))
        try? await loader.value
        let acked = acknowledged.ids.withLock { $0 }
        XCTAssertGreaterThan(acked.count, 50, "the load ran before the kill")

        // Restart on the same database: everything acknowledged is stored, and gets delivered.
        let restarted = try ServiceProcess(
            binary: "coffer-ingress",
            environment: TestStackEnvironment.variables(
                database: harness.database,
                extra: [
                    "PAYMENTS_INTERNAL_URL": harness.consumer.baseURL, "PAYOUTS_INTERNAL_URL": harness.consumer.baseURL,
                    "OUTBOX_RETRY_BASE": "50ms",
                ]))
        try await restarted.waitUntilReady()
        let pool = harness.database.pool(.owner)
        var stored = Set<String>()
        for row in try await pool.query("SELECT provider_event_id FROM ingress.webhook_events") {
            stored.insert(try row.decode(String.self, at: 0))
        }
        XCTAssertTrue(acked.isSubset(of: stored), "\(acked.subtracting(stored).count) acknowledged webhooks were lost")
        let deadline = ContinuousClock.now + .seconds(60)
        var appliedIDs = Set<String>()
        while ContinuousClock.now < deadline {
            appliedIDs = Set(
                try await pool.query(
                    """
                    SELECT e.provider_event_id FROM ingress.webhook_events e JOIN subscriber.inbox i ON i.event_id = e.id
                    """
                ).map { try $0.decode(String.self, at: 0) })
            if acked.isSubset(of: appliedIDs) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        XCTAssertTrue(
            acked.isSubset(of: appliedIDs),
            "\(acked.subtracting(appliedIDs).count) acknowledged webhooks never reached the consumer")
        let inbox = try await pool.query("SELECT count(*), count(DISTINCT event_id) FROM subscriber.inbox").first?
            .decode((Int64, Int64).self)
        XCTAssertEqual(inbox?.0, inbox?.1, "applied exactly once each")
        await pool.shutdown()
        await restarted.stop()
        await harness.consumer.stop()
        try? await harness.database.drop()
    }

    func testDatabaseDownAnswers503SoProvidersRetry() async throws {
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
        let tenant = CofferID.generate(.tenant)
        try await cluster.stopServer()
        let body = ProviderSigning.stripeEvent()
        var headers = ProviderSigning.stripe(secret: "whsec_x", body: body)
        headers.add("Content-Type", "application/json")
        let response = try await LoopHTTPClient().send(
            HTTPClientRequest(
                method: .POST, url: process.baseURL + "/webhooks/stripe/\(tenant)",
                headers: headers, body: body, timeout: .seconds(15)))
        XCTAssertEqual(response.status, .serviceUnavailable, response.bodyText)
        XCTAssertNotNil(response.headers["Retry-After"])
        XCTAssertEqual(try JSONValue.parse(response.body).value(at: "error.code"), "storage_unavailable")
        try await cluster.startServer()
        await process.stop()
        await cluster.destroy()
    }

    func testRateLimitsPerSourceAndPerTenant() async throws {
        let harness = try await IngressHarness.start(extraEnvironment: [
            "WEBHOOK_RATE_LIMIT_PER_TENANT": "1", "WEBHOOK_RATE_LIMIT_PER_TENANT_BURST": "3",
        ])
        let noisy = try await harness.createTenant()
        let quiet = try await harness.createTenant()
        for tenant in [noisy, quiet] {
            try await harness.upsertConnector(
                tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_r"])
        }
        var statuses: [Int] = []
        for _ in 0..<6 {
            let body = ProviderSigning.stripeEvent()
            let (response, _) = try await harness.send(
                "/webhooks/stripe/\(noisy)", body: body, headers: ProviderSigning.stripe(secret: "whsec_r", body: body))
            statuses.append(response.status.code)
            if response.status.code == 429 { XCTAssertNotNil(response.headers["Retry-After"]) }
        }
        XCTAssertEqual(statuses.prefix(3), [200, 200, 200])
        XCTAssertTrue(statuses.suffix(3).contains(429), "\(statuses)")
        let body = ProviderSigning.stripeEvent()
        let (other, _) = try await harness.send(
            "/webhooks/stripe/\(quiet)", body: body, headers: ProviderSigning.stripe(secret: "whsec_r", body: body))
        XCTAssertEqual(other.status, .ok, "one noisy tenant does not starve another")
        await harness.stop()
    }

    func testUnsignedModeIsRefusedOutsideDevelopmentAndWarnsInIt() async throws {
        let database = try await TestDatabase.create()
        let refused = try ServiceProcess(
            binary: "coffer-ingress",
            environment: TestStackEnvironment.variables(
                database: database,
                extra: [
                    "REQUIRE_WEBHOOK_SIGNATURE": "false", "COFFER_ENV": "production",
                ]))
        let exitCode = await refused.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(exitCode, 78)
        XCTAssertTrue(
            refused.output.contains("REQUIRE_WEBHOOK_SIGNATURE=false is only allowed with COFFER_ENV=development"))
        try await database.drop()

        let harness = try await IngressHarness.start(extraEnvironment: [
            "REQUIRE_WEBHOOK_SIGNATURE": "false", "COFFER_ENV": "development",
        ])
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_dev"])
        let body = ProviderSigning.stripeEvent()
        let (response, json) = try await harness.send(
            "/webhooks/stripe/\(tenant)", body: body, headers: ProviderSigning.stripe(secret: "wrong", body: body))
        XCTAssertEqual(response.status, .ok)
        let detail = try await harness.adminGet("/admin/events/\(json?["id"]?.stringValue ?? "")")
        XCTAssertEqual(detail["verification"], "unverified")
        XCTAssertEqual(detail["needs_confirmation"], true, "an unverified event is only a hint")
        XCTAssertTrue(
            harness.process.output.contains(
                "REQUIRE_WEBHOOK_SIGNATURE=false: webhooks that fail verification are ACCEPTED"))
        // Log lines are written by a buffered sink: wait for the flush rather than racing it.
        let warned = await eventually { harness.process.output.contains("UNVERIFIED webhook accepted") }
        XCTAssertTrue(warned)
        await harness.stop()
    }
}
