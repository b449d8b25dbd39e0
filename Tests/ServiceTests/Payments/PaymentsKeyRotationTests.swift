import Ctl
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// `cofferctl keys rotate`: a new master key version is deployed, every connector secret is re-sealed
/// under it, and the old version can then be retired without losing a secret.
final class PaymentsKeyRotationTests: XCTestCase {
    func testRotationReencryptsEverySecretSoTheOldKeyCanBeRetired() async throws {
        let harness = try await PaymentsHarness.start()
        defer { Task { await harness.stop() } }
        let tenant = try await harness.createTenant()
        let put = try await harness.call(
            .PUT, "/v1/connectors/stripe", bearer: tenant.key,
            json: [
                "credentials": ["secret_key": "sk_test_rotation_0000ABCD"],
                "webhook_secret": "whsec_rotation_secret_EFGH",
            ])
        XCTAssertEqual(put.status, 200, put.text)
        let sealed: () async throws -> String = {
            try await harness.withSuperuserPool { pool in
                try await pool.query(
                    "SELECT sealed_secrets::text FROM payments.connectors WHERE tenant_id = \(tenant.id)"
                ).first?
                .decode(String.self, at: 0) ?? ""
            }
        }
        let before = try await sealed()
        XCTAssertTrue(before.contains("\"v1."), before)

        let newKey = Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        try await harness.restart(changes: ["COFFER_MASTER_KEY": "v2:\(newKey),v1:\(TestStackEnvironment.masterKey)"])
        var lines: [String] = []
        let output = CtlOutput { lines.append($0) }
        let code = await CofferCtl.main(
            arguments: ["keys", "rotate", "--service", "payments"],
            environment: [
                "PAYMENTS_INTERNAL_URL": harness.internalURL, "COFFER_ADMIN_TOKEN": TestStackEnvironment.adminToken,
            ],
            output: output)
        XCTAssertEqual(code, 0, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.joined().contains("Re-encrypted 1 connector(s) under master key v2"), lines.joined())
        let after = try await sealed()
        XCTAssertFalse(after.contains("\"v1."), after)
        XCTAssertTrue(after.contains("\"v2."), after)
        XCTAssertFalse(after.contains("sk_test_rotation_0000ABCD"))

        // v1 retired: everything still opens.
        try await harness.restart(changes: ["COFFER_MASTER_KEY": "v2:\(newKey)"])
        let list = try await harness.call(.GET, "/v1/connectors", bearer: tenant.key)
        XCTAssertEqual(list.status, 200, list.text)
        XCTAssertTrue(list.text.contains("ABCD"), "the secret opens under v2 alone: \(list.text)")
        let published = await eventually {
            harness.ingress.applied.withLock { events in
                events.contains {
                    $0.type == "connector.upserted"
                        && String(decoding: $0.data.serialized(), as: UTF8.self).contains("\"v2.")
                }
            }
        }
        XCTAssertTrue(published, "ingress's copy is re-sealed too")

        // Without the admin token the command says what is missing.
        lines.removeAll()
        let refused = await CofferCtl.main(
            arguments: ["keys", "rotate", "--service", "payments"],
            environment: ["PAYMENTS_INTERNAL_URL": harness.internalURL, "COFFER_ENV_FILE": "/dev/null"],
            output: output)
        XCTAssertEqual(refused, 1)
        XCTAssertTrue(lines.joined().contains("COFFER_ADMIN_TOKEN"))
    }
}
