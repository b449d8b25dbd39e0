import Ctl
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// The payments audit trail end to end: changes are recorded in their own transactions, sealed into
/// each tenant's chain by the running service, listed to the tenant (and only to it), and a quiet edit
/// made behind the service's back is found by `cofferctl audit verify`.
final class PaymentsAuditTests: XCTestCase {
    func testAuditTrailIsListedPerTenantSealedAndTamperingIsFound() async throws {
        let harness = try await PaymentsHarness.start()
        defer { Task { await harness.stop() } }
        let tenant = try await harness.createTenant()
        let other = try await harness.createTenant(name: "Other")
        let live = try await harness.createKey(tenantID: tenant.id, role: "full", livemode: true)
        let zone = try await harness.call(
            .PATCH, "/v1/settings", bearer: live.secret, json: ["time_zone": "Africa/Johannesburg"])
        XCTAssertEqual(zone.status, 200, zone.text)
        let put = try await harness.call(
            .PUT, "/v1/connectors/stripe", bearer: tenant.key,
            json: [
                "credentials": ["secret_key": "sk_test_audit_secret_value_9876"],
                "webhook_secret": "whsec_audit_secret",
            ])
        XCTAssertEqual(put.status, 200, put.text)

        let list = try await harness.call(.GET, "/v1/audit", bearer: tenant.key)
        XCTAssertEqual(list.status, 200, list.text)
        let actions = list["data"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
        XCTAssertEqual(
            Set(actions), ["tenant.created", "api_key.created", "settings.updated", "connector.created"], "\(actions)")
        XCTAssertFalse(list.text.contains("sk_test_audit_secret_value_9876"), "secrets are masked in the trail")
        let otherList = try await harness.call(.GET, "/v1/audit", bearer: other.key)
        XCTAssertFalse(otherList.text.contains("settings.updated"), "another tenant sees none of it")

        // The service seals moments after the writes.
        let sealed = await eventually {
            let rows = try? await harness.withSuperuserPool { pool in
                try await pool.query("SELECT count(*) FROM payments.audit_log WHERE chain_seq IS NULL").first?.decode(
                    Int64.self, at: 0)
            }
            return rows == 0
        }
        XCTAssertTrue(sealed)
        var lines: [String] = []
        let output = CtlOutput { lines.append($0) }
        let environment = [
            "PAYMENTS_INTERNAL_URL": harness.internalURL, "COFFER_ADMIN_TOKEN": TestStackEnvironment.adminToken,
            "COFFER_ENV_FILE": "/dev/null",
        ]
        let clean = await CofferCtl.main(
            arguments: ["audit", "verify", "--service", "payments"], environment: environment, output: output)
        XCTAssertEqual(clean, 0, lines.joined(separator: "\n"))

        // Someone with database access quietly rewrites history.
        try await harness.withSuperuserPool { pool in
            try await pool.execute("ALTER TABLE payments.audit_log DISABLE TRIGGER USER")
            try await pool.execute(
                """
                UPDATE payments.audit_log SET after = jsonb_set(after, '{time_zone}', '"UTC"')
                WHERE tenant_id = \(tenant.id) AND action = 'settings.updated'
                """)
            try await pool.execute("ALTER TABLE payments.audit_log ENABLE TRIGGER USER")
        }
        lines.removeAll()
        let tampered = await CofferCtl.main(
            arguments: ["audit", "verify", "--service", "payments"], environment: environment, output: output)
        XCTAssertEqual(tampered, 1, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.joined().contains("hash_mismatch"), lines.joined(separator: "\n"))

        // And the service role cannot edit or delete the trail at all.
        let app = harness.database.pool(.app)
        defer { Task { await app.shutdown() } }
        do {
            try await app.platformTransaction { connection in
                try await connection.execute("DELETE FROM payments.audit_log WHERE tenant_id = \(tenant.id)")
            }
            XCTFail("the audit log is append-only")
        } catch {}
    }
}
