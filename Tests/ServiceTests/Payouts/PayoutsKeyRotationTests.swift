import Ctl
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// `cofferctl keys rotate` re-seals every payee destination under the newest master key; with the
/// old key retired, destinations still open and payees are still paid.
final class PayoutsKeyRotationTests: XCTestCase {
    func testRotationReSealsPayeeDestinations() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant()
        let payee = try await harness.createPayee(tenant, account: "998877665544", balance: 10_000)
        func sealed() async throws -> String {
            let pool = harness.database.pool(.admin)
            defer { Task { await pool.shutdown() } }
            return try await pool.query("SELECT destination_sealed FROM payouts.payees WHERE id = \(payee)").first?
                .decode(String.self, at: 0) ?? ""
        }
        let before = try await sealed()
        XCTAssertTrue(before.hasPrefix("v1."), before)
        XCTAssertFalse(before.contains("998877665544"), "sealed, not stored in the clear")

        let newKey = Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        // The runbook: v2 next to v1 everywhere, rotate, then v2 alone everywhere.
        let both = ["COFFER_MASTER_KEY": "v2:\(newKey),v1:\(TestStackEnvironment.masterKey)"]
        try await harness.restartPayments(changes: both)
        try await harness.restartPayouts(changes: both)
        var lines: [String] = []
        let output = CtlOutput { lines.append($0) }
        let code = await CofferCtl.main(
            arguments: ["keys", "rotate"],
            environment: [
                "PAYMENTS_INTERNAL_URL": harness.payments.internalURL,
                "PAYOUTS_INTERNAL_URL": harness.payouts.internalURL,
                "COFFER_ADMIN_TOKEN": TestStackEnvironment.adminToken,
            ],
            output: output)
        XCTAssertEqual(code, 0, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.joined().contains("Re-encrypted 1 connector(s) under master key v2"), lines.joined())
        XCTAssertTrue(lines.joined().contains("Re-sealed 1 payee destination(s) under master key v2"), lines.joined())
        // Payouts' copy of the connector follows through connector.upserted.
        let copied = await eventually(timeout: .seconds(20)) {
            (try? await harness.superuserCount(
                """
                SELECT count(*) FROM payouts.connectors WHERE connector_id = '\(tenant.connectorID)' AND sealed_secrets::text LIKE '%"v2.%'
                  AND sealed_secrets::text NOT LIKE '%"v1.%'
                """)) == 1
        }
        XCTAssertTrue(copied, "payouts' connector copy is re-sealed under v2")
        let after = try await sealed()
        XCTAssertTrue(after.hasPrefix("v2."), after)

        try await harness.restartPayments(changes: ["COFFER_MASTER_KEY": "v2:\(newKey)"])
        try await harness.restartPayouts(changes: ["COFFER_MASTER_KEY": "v2:\(newKey)"])
        let shown = try await harness.call(.GET, "/v1/payees/\(payee)", bearer: tenant.key)
        XCTAssertEqual(shown["destination"]?["last4"]?.stringValue, "5544", shown.text)
        let payout = try await harness.createPayout(tenant, payee: payee, amount: 5_000)
        let paid = await harness.waitForStatus(payout.id, tenant, "processed")
        XCTAssertTrue(paid, "the destination opens under v2 alone")
        await harness.stop()
    }
}
