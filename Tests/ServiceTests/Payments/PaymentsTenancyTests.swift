import Contracts
import Foundation
import HTTP
import Postgres
import Shared
import TestSupport
import XCTest

/// Tenants, API keys, settings and connectors through the real `coffer-payments` process.
final class PaymentsTenancyTests: XCTestCase {
    var harness: PaymentsHarness!

    override func setUp() async throws { harness = try await PaymentsHarness.start() }
    override func tearDown() async throws { await harness?.stop() }

    func testOperatorCreatesTenantWithAKeyShownOnceAndStoredAsAHash() async throws {
        let unauthenticated = try await harness.call(.POST, "/admin/tenants", bearer: nil, json: ["name": "Shop"])
        XCTAssertEqual(unauthenticated.status, 401)
        let wrongToken = try await harness.call(
            .POST, "/admin/tenants", bearer: "ck_test_not-an-operator-token-at-all-000000", json: ["name": "Shop"])
        XCTAssertEqual(wrongToken.status, 401)

        let tenant = try await harness.createTenant(name: "Acme Books")
        XCTAssertTrue(CofferID.isValid(tenant.id, prefix: .tenant))
        XCTAssertTrue(tenant.key.hasPrefix("ck_test_"), tenant.key)
        let settings = try await harness.call(.GET, "/v1/settings", bearer: tenant.key)
        XCTAssertEqual(settings.status, 200, settings.text)
        XCTAssertEqual(settings["api_rate_limit_per_minute"]?.int64Value, 100)
        XCTAssertEqual(settings.headers["X-RateLimit-Limit"], "100")

        let stored = try await harness.withSuperuserPool { pool in
            try await pool.query("SELECT key_hash, prefix FROM payments.api_keys WHERE tenant_id = \(tenant.id)").map {
                try $0.decode((String, String).self)
            }
        }
        XCTAssertEqual(stored.count, 1)
        XCTAssertNotEqual(stored[0].0, tenant.key)
        XCTAssertEqual(stored[0].0, Hex.encode(SHA256.hash(tenant.key)))
        XCTAssertTrue(tenant.key.hasPrefix(stored[0].1))
        XCTAssertLessThan(stored[0].1.count, 16, "only a short prefix is kept")

        // Ingress hears about the tenant and its key (never the key itself).
        let delivered = await eventually { self.harness.ingress.applied.withLock { $0.count } >= 2 }
        XCTAssertTrue(delivered)
        let types = harness.ingress.applied.withLock { $0.map(\.type) }
        XCTAssertTrue(types.contains("tenant.upserted") && types.contains("api_key.created"), "\(types)")
        let serialized = harness.ingress.applied.withLock {
            $0.map { String(decoding: $0.jsonValue.serialized(), as: UTF8.self) }
        }
        XCTAssertFalse(serialized.joined().contains(tenant.key), "the key never leaves in an event")
    }

    func testRevokedKeyFailsAtOnceAndOtherKeysKeepWorking() async throws {
        let tenant = try await harness.createTenant()
        let second = try await harness.createKey(tenantID: tenant.id, role: "read_only")
        let before = try await harness.call(.GET, "/v1/settings", bearer: second.secret)
        XCTAssertEqual(before.status, 200)
        let revoked = try await harness.admin(.DELETE, "/admin/api-keys/\(second.id)")
        XCTAssertEqual(revoked.status, 200, revoked.text)
        XCTAssertNotNil(revoked["revoked"]?.stringValue)
        let after = try await harness.call(.GET, "/v1/settings", bearer: second.secret)
        XCTAssertEqual(after.status, 401)
        XCTAssertEqual(after.errorCode, "invalid_api_key")
        let other = try await harness.call(.GET, "/v1/settings", bearer: tenant.key)
        XCTAssertEqual(other.status, 200)
        let again = try await harness.admin(.DELETE, "/admin/api-keys/\(second.id)")
        XCTAssertEqual(again.status, 200, "revoking twice is harmless")
        let missing = try await harness.admin(.DELETE, "/admin/api-keys/\(CofferID.generate(.apiKey))")
        XCTAssertEqual(missing.status, 404)
        let revokedEvent = await eventually {
            self.harness.ingress.applied.withLock { $0.contains { $0.type == "api_key.revoked" } }
        }
        XCTAssertTrue(revokedEvent)
    }

    func testSettingsAreValidatedAuditedAndPublished() async throws {
        let tenant = try await harness.createTenant()
        // Settings govern live money: a live key changes them.
        let live = try await harness.createKey(tenantID: tenant.id, role: "full", livemode: true)
        let patched = try await harness.call(
            .PATCH, "/v1/settings", bearer: live.secret,
            json: [
                "refund_policy": ["window_days": 30, "approval_thresholds": ["USD": 50_000]]
            ])
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(patched["refund_policy"]?["window_days"]?.int64Value, 30)
        XCTAssertEqual(patched["api_rate_limit_per_minute"]?.int64Value, 100, "untouched settings stay")
        // Fees move money between parties: applied once an operator approves the change.
        let fees = try await harness.call(
            .PATCH, "/v1/settings", bearer: live.secret,
            json: [
                "fees": ["platform_fee_bps": 1000, "referral_bounty_bps": 200]
            ])
        XCTAssertEqual(fees.status, 202, fees.text)
        let approved = try await harness.admin(.POST, "/admin/tenants/\(tenant.id)/settings-changes/\(fees.id)/approve")
        XCTAssertEqual(approved.status, 200, approved.text)
        XCTAssertEqual(approved["after"]?["fees"]?["platform_fee_bps"]?.int64Value, 1000)

        for (patch, param) in [
            (["fees": ["platform_fee_bps": 20_000]] as JSONValue, "fees.platform_fee_bps"),
            (["time_zone": "Mars/Olympus"], "time_zone"),
            (["refund_policy": ["approval_thresholds": ["XXX1": 5]]], "refund_policy.approval_thresholds.XXX1"),
            (["surprise": true], "surprise"),
            (["fees": ["referral_bounty_bps": 5000]], "fees.referral_bounty_bps"),
        ] {
            let refused = try await harness.call(.PATCH, "/v1/settings", bearer: live.secret, json: patch)
            XCTAssertEqual(refused.status, 400, "\(patch)")
            XCTAssertEqual(refused.errorCode, "invalid_setting")
            XCTAssertEqual(refused.body["error"]?["param"]?.stringValue, param, refused.text)
        }
        let readOnly = try await harness.createKey(tenantID: tenant.id, role: "read_only", livemode: true)
        let forbidden = try await harness.call(
            .PATCH, "/v1/settings", bearer: readOnly.secret, json: ["time_zone": "Africa/Lusaka"])
        XCTAssertEqual(forbidden.status, 403)
        XCTAssertEqual(forbidden.errorCode, "insufficient_role")

        let published = await eventually {
            self.harness.ingress.applied.withLock { events in
                events.contains {
                    $0.type == "tenant.upserted"
                        && $0.data["settings"]?["fees"]?["platform_fee_bps"]?.int64Value == 1000
                }
            }
        }
        XCTAssertTrue(published, "other services get the new settings with tenant.upserted")
        let audited = try await harness.withSuperuserPool { pool in
            try await pool.query(
                "SELECT count(*) FROM payments.audit_log WHERE tenant_id = \(tenant.id) AND action = 'settings.updated'"
            )
            .first?.decode(Int64.self, at: 0)
        }
        XCTAssertEqual(audited, 1)
    }

    func testConnectorsAreValidatedMaskedAndSealedAtRest() async throws {
        let tenant = try await harness.createTenant()
        let secretKey = "sk_test_" + String(repeating: "a", count: 20) + "WXYZ"
        let put = try await harness.call(
            .PUT, "/v1/connectors/stripe", bearer: tenant.key,
            json: [
                "credentials": ["secret_key": .string(secretKey)], "webhook_secret": "whsec_topsecretvalue1234",
                "api_base_url": "http://127.0.0.1:9/stripe",
            ])
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertFalse(put.text.contains(secretKey))
        XCTAssertFalse(put.text.contains("whsec_topsecretvalue1234"))
        let list = try await harness.call(.GET, "/v1/connectors", bearer: tenant.key)
        XCTAssertEqual(list.status, 200)
        let connector = list["data"]?.arrayValue?.first
        XCTAssertEqual(connector?["provider"]?.stringValue, "stripe")
        XCTAssertTrue(list.text.contains("WXYZ"), "secrets show their last 4 characters")
        XCTAssertFalse(list.text.contains(secretKey))
        XCTAssertEqual(
            connector?["webhook_url"]?.stringValue?.hasPrefix("https://hooks.example.test/"), true, list.text)

        let atRest = try await harness.withSuperuserPool { pool in
            try await pool.query("SELECT sealed_secrets::text FROM payments.connectors WHERE tenant_id = \(tenant.id)")
                .first?
                .decode(String.self, at: 0) ?? ""
        }
        XCTAssertFalse(atRest.contains(secretKey))
        XCTAssertFalse(atRest.contains("whsec_topsecretvalue1234"))

        let unknown = try await harness.call(
            .PUT, "/v1/connectors/stripe", bearer: tenant.key, json: ["salt_key": "x", "colour": "red"])
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown.errorCode, "unknown_fields")
        XCTAssertTrue(unknown.text.contains("colour") && unknown.text.contains("salt_key"), unknown.text)
        let badCredential = try await harness.call(
            .PUT, "/v1/connectors/razorpay", bearer: tenant.key,
            json: ["credentials": ["secret_key": "nope"]])
        XCTAssertEqual(badCredential.status, 400)
        XCTAssertEqual(badCredential.body["error"]?["param"]?.stringValue, "credentials.secret_key")
        let noProvider = try await harness.call(.PUT, "/v1/connectors/bitcoin", bearer: tenant.key, json: [:])
        XCTAssertEqual(noProvider.status, 404)
        let live = try await harness.call(.PUT, "/v1/connectors/stripe", bearer: tenant.key, json: ["mode": "live"])
        XCTAssertEqual(live.status, 403, "a test key manages only test connectors")

        // Another tenant sees none of it.
        let other = try await harness.createTenant(name: "Other")
        let otherList = try await harness.call(.GET, "/v1/connectors", bearer: other.key)
        XCTAssertEqual(otherList["data"]?.arrayValue?.count, 0)
    }

    func testLiveConnectorsOnlyCallTheProvidersOfficialHost() async throws {
        let tenant = try await harness.createTenant()
        let liveKey = try await harness.admin(
            .POST, "/admin/tenants/\(tenant.id)/api-keys", json: ["role": "full", "livemode": true])
        XCTAssertEqual(liveKey.status, 201, liveKey.text)
        let secret = liveKey["secret"]?.stringValue ?? ""
        XCTAssertTrue(secret.hasPrefix("ck_live_"))
        let metadataHost = try await harness.call(
            .PUT, "/v1/connectors/stripe", bearer: secret,
            json: [
                "credentials": ["secret_key": "sk_live_0123456789abcdef"],
                "api_base_url": "http://169.254.169.254/latest",
            ])
        XCTAssertEqual(metadataHost.status, 400, metadataHost.text)
        XCTAssertEqual(metadataHost.body["error"]?["param"]?.stringValue, "api_base_url")
    }

    func testAdminPostsAreIdempotent() async throws {
        let body: JSONValue = ["name": "Once only"]
        let first = try await harness.admin(.POST, "/admin/tenants", json: body, idempotencyKey: "create-once-1")
        XCTAssertEqual(first.status, 201)
        let replay = try await harness.admin(
            .POST, "/admin/tenants", json: ["name": "Once only"], idempotencyKey: "create-once-1")
        XCTAssertEqual(replay.status, 201)
        XCTAssertEqual(replay.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(replay.id, first.id)
        XCTAssertEqual(replay.text, first.text, "the stored answer, byte for byte")
        let reused = try await harness.admin(
            .POST, "/admin/tenants", json: ["name": "Something else"], idempotencyKey: "create-once-1")
        XCTAssertEqual(reused.status, 422)
        XCTAssertEqual(reused.errorCode, "idempotency_key_reused")
        let tenants = try await harness.withSuperuserPool { pool in
            try await pool.query("SELECT count(*) FROM payments.tenants WHERE name = 'Once only'").first?.decode(
                Int64.self, at: 0)
        }
        XCTAssertEqual(tenants, 1)
        let tooLong = try await harness.admin(
            .POST, "/admin/tenants", json: body, idempotencyKey: String(repeating: "k", count: 256))
        XCTAssertEqual(tooLong.status, 400)
        XCTAssertEqual(tooLong.errorCode, "invalid_idempotency_key")
    }

    func testPerKeyRateLimitAnswers429WithHeaders() async throws {
        let tenant = try await harness.createTenant(settings: ["api_rate_limit_per_minute": 5])
        var statuses: [Int] = []
        var last: PaymentsHarness.Answer?
        for _ in 0..<7 {
            let answer = try await harness.call(.GET, "/v1/settings", bearer: tenant.key)
            statuses.append(answer.status)
            last = answer
        }
        XCTAssertEqual(statuses.prefix(5), [200, 200, 200, 200, 200])
        XCTAssertEqual(statuses.last, 429)
        XCTAssertEqual(last?.errorCode, "rate_limited")
        XCTAssertNotNil(last?.headers["Retry-After"])
        XCTAssertEqual(last?.headers["X-RateLimit-Limit"], "5")
        XCTAssertEqual(last?.headers["X-RateLimit-Remaining"], "0")
        XCTAssertNotNil(last?.headers["X-RateLimit-Reset"])
        // Another key of the same tenant has its own bucket.
        let second = try await harness.createKey(tenantID: tenant.id, role: "read_only")
        let other = try await harness.call(.GET, "/v1/settings", bearer: second.secret)
        XCTAssertEqual(other.status, 200)
    }

    func testSnapshotServesEverythingACopyNeedsToSignedCallersOnly() async throws {
        let tenant = try await harness.createTenant()
        _ = try await harness.call(
            .PUT, "/v1/connectors/stripe", bearer: tenant.key,
            json: [
                "credentials": ["secret_key": "sk_test_snapshot0000"], "webhook_secret": "whsec_snapshot_secret",
            ])
        let unsigned = try await harness.call(.GET, "/internal/snapshot/tenants", bearer: nil)
        XCTAssertEqual(unsigned.status, 401)
        // The public listener does not serve it at all.
        let onPublic = try await harness.call(.GET, "/internal/snapshot/tenants", bearer: nil, on: harness.baseURL)
        XCTAssertEqual(onPublic.status, 404)
        // Signed by a service payments does not hand snapshots to (the sandbox holds no pair; ingress may).
        var request = HTTPClientRequest(method: .GET, url: harness.internalURL + "/internal/snapshot/tenants")
        request.headers.add(
            InternalRequestSigner.headerName,
            TestStackEnvironment.signature(
                from: "ingress", to: "payments", method: "GET", target: "/internal/snapshot/tenants", body: []))
        let response = try await harness.client.send(request)
        XCTAssertEqual(response.status, .ok, response.bodyText)
        let snapshot = try JSONCoding.makeDecoder().decode(TenancySnapshot.self, from: Data(response.body))
        XCTAssertEqual(snapshot.tenants.map(\.tenantID), [tenant.id])
        XCTAssertEqual(snapshot.connectors.count, 1)
        XCTAssertEqual(snapshot.apiKeys.count, 1)
        XCTAssertFalse(response.bodyText.contains("whsec_snapshot_secret"), "secrets travel sealed")
        XCTAssertNotNil(snapshot.connectors.first?.sealedSecrets["webhook_secret"])
    }

    func testRowLevelSecurityHidesRowsWithoutTheTenantSetting() async throws {
        let first = try await harness.createTenant(name: "First")
        let second = try await harness.createTenant(name: "Second")
        let app = harness.database.pool(.app)
        defer { Task { await app.shutdown() } }
        let unscoped = try await app.query("SELECT count(*) FROM payments.tenants").first?.decode(Int64.self, at: 0)
        XCTAssertEqual(unscoped, 0, "the service role sees nothing without app.tenant_id")
        let scoped = try await app.transaction { connection in
            try await connection.execute("SELECT set_config('app.tenant_id', \(first.id), true)")
            return try await connection.query("SELECT id FROM payments.tenants").map {
                try $0.decode(String.self, at: 0)
            }
        }
        XCTAssertEqual(scoped, [first.id])
        do {
            try await app.transaction { connection in
                try await connection.execute("SELECT set_config('app.tenant_id', \(first.id), true)")
                try await connection.execute(
                    """
                    INSERT INTO payments.api_keys (id, tenant_id, key_hash, prefix, role, mode, created_by)
                    VALUES (\(CofferID.generate(.apiKey)), \(second.id), 'x', 'ck_test_x', 'full', 'test', 'test')
                    """)
            }
            XCTFail("writing another tenant's row must be refused")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "42501", "\(error)")
        }
    }
}
