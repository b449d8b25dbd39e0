import Contracts
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// The operator's view: listing, reading, replaying; and the tenancy copy's snapshot bootstrap.
final class IngressAdminTests: XCTestCase {
    func testDeadLettersAreListedAndReplayedInOrder() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_a"])
        harness.consumer.refuseAll.withLock { $0 = true }
        var ids: [String] = []
        for type in ["payment_intent.succeeded", "payment_intent.succeeded"] {
            let body = ProviderSigning.stripeEvent(type: type, objectID: "pi_same")
            let (_, json) = try await harness.send(
                "/webhooks/stripe/\(tenant)", body: body, headers: ProviderSigning.stripe(secret: "whsec_a", body: body)
            )
            ids.append(try XCTUnwrap(json?["id"]?.stringValue))
        }
        let ignoredBody = ProviderSigning.stripeEvent(type: "customer.created")
        let (_, ignoredJSON) = try await harness.send(
            "/webhooks/stripe/\(tenant)", body: ignoredBody,
            headers: ProviderSigning.stripe(secret: "whsec_a", body: ignoredBody))
        let ignoredID = try XCTUnwrap(ignoredJSON?["id"]?.stringValue)

        var dead: [String] = []
        for _ in 0..<100 {
            dead =
                try await harness.adminGet("/admin/events?status=dead")["data"]?.arrayValue?.compactMap {
                    $0["id"]?.stringValue
                } ?? []
            if !dead.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(dead, [ids[0]], "the first is dead; the second waits behind it (same payment)")
        let pending = try await harness.adminGet("/admin/events?status=pending")["data"]?.arrayValue?.compactMap {
            $0["id"]?.stringValue
        }
        XCTAssertEqual(pending, [ids[1]])
        let ignored = try await harness.adminGet("/admin/events?status=ignored")["data"]?.arrayValue?.compactMap {
            $0["id"]?.stringValue
        }
        XCTAssertEqual(ignored, [ignoredID], "unknown types are stored and acknowledged, not forwarded")
        let replayIgnored = try await harness.adminPost("/admin/events/\(ignoredID)/replay")
        XCTAssertEqual(replayIgnored.status, .conflict)

        harness.consumer.refuseAll.withLock { $0 = false }
        let replay = try await harness.adminPost("/admin/dead-letters/replay?tenant_id=\(tenant)")
        XCTAssertEqual(replay.status, .ok)
        XCTAssertEqual(try JSONValue.parse(replay.body)["replayed_deliveries"]?.int64Value, 1)
        try await harness.waitForDeliveries(2)
        XCTAssertEqual(harness.consumer.applied.withLock { $0.map(\.id) }, ids, "delivered in order after the replay")

        let unauthorized = try await harness.client.send(
            HTTPClientRequest(method: .GET, url: harness.internalURL + "/admin/events"))
        XCTAssertEqual(unauthorized.status, .unauthorized)
        let wrong = try await harness.client.send(
            HTTPClientRequest(
                method: .GET, url: harness.internalURL + "/admin/events",
                headers: ["Authorization": "Bearer not-the-token-at-all"]))
        XCTAssertEqual(wrong.status, .unauthorized)
        let page = try await harness.adminGet("/admin/events?limit=1")
        XCTAssertEqual(page["has_more"], true)
        XCTAssertEqual(page["object"], "list")
        let missing = try await harness.client.send(
            HTTPClientRequest(
                method: .GET, url: harness.internalURL + "/admin/events/\(CofferID.generate(.event))",
                headers: ["Authorization": "Bearer \(TestStackEnvironment.adminToken)"]))
        XCTAssertEqual(missing.status, .notFound)
        await harness.stop()
    }

    func testAnEmptyCopyIsFilledFromPaymentsSnapshotAtStart() async throws {
        let database = try await TestDatabase.create()
        let fakePayments = try await RecordingSubscriber.start(database: database)
        let keyring = try EncryptionKeyring(parsing: TestStackEnvironment.masterKey)
        let tenant = CofferID.generate(.tenant)
        let connector = CofferID.generate(.connector)
        let sealed = try keyring.seal(
            "whsec_snap", context: ConnectorSecretContext.make(connectorID: connector, field: "webhook_secret"))
        fakePayments.snapshot.withLock {
            $0 = TenancySnapshot(
                tenants: [TenantUpserted(tenantID: tenant, name: "From snapshot", status: "active", version: 5)],
                connectors: [
                    ConnectorUpserted(
                        connectorID: connector, tenantID: tenant, provider: "stripe", mode: "live",
                        sealedSecrets: ["webhook_secret": sealed], version: 5)
                ],
                apiKeys: [], revokedKeyIDs: [])
        }
        let process = try ServiceProcess(
            binary: "coffer-ingress",
            environment: TestStackEnvironment.variables(
                database: database,
                extra: [
                    "PAYMENTS_INTERNAL_URL": fakePayments.baseURL, "PAYOUTS_INTERNAL_URL": fakePayments.baseURL,
                ]))
        try await process.waitUntilReady()
        let body = ProviderSigning.stripeEvent()
        var headers = ProviderSigning.stripe(secret: "whsec_snap", body: body)
        headers.add("Content-Type", "application/json")
        var status = 0
        for _ in 0..<50 {
            status = try await LoopHTTPClient().send(
                HTTPClientRequest(
                    method: .POST, url: process.baseURL + "/webhooks/stripe/\(tenant)",
                    headers: headers, body: body)
            ).status.code
            if status == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(status, 200, process.output.suffix(2000).description)
        XCTAssertTrue(process.output.contains("tenancy snapshot loaded"))
        await process.stop()
        await fakePayments.stop()
        try await database.drop()
    }
}
