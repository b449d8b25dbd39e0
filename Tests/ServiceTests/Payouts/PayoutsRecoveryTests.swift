import Foundation
import HTTP
import Postgres
import Shared
import TestSupport
import XCTest

/// Crashes, provider timeouts and a database that drops every connection mid-run: afterwards every
/// payout is settled or held, none was paid twice at the provider (the sandbox's operation log), and
/// every payee's balance equals what payments' ledger says it is owed.
final class PayoutsRecoveryTests: XCTestCase {
    static let busyEnvironment = ["FRAUD_VELOCITY_PER_HOUR": "100000", "PAYOUT_CALLS_PER_WORKER": "4"]
    static let busySettings: JSONValue = ["payout_limits": ["max_payouts_per_payee_per_day": 10_000]]

    /// Payees with balances and one batch paying each of them `perPayee` times.
    private func payroll(
        _ harness: PayoutsHarness, _ tenant: PayoutsHarness.Tenant, payees count: Int, perPayee: Int,
        amount: Int64 = 1_000
    ) async throws -> (payees: [String], batch: String) {
        var payees: [String] = []
        for _ in 0..<count {
            payees.append(try await harness.createPayee(tenant, balance: amount * Int64(perPayee) + 5_000))
        }
        var items: [JSONValue] = []
        for payee in payees {
            for _ in 0..<perPayee {
                items.append(["payee_id": .string(payee), "amount": .int(amount), "currency": "INR"])
            }
        }
        let batch = try await harness.call(
            .POST, "/v1/payout-batches", bearer: tenant.key, json: ["items": .array(items)],
            idempotencyKey: UUID().uuidString)
        XCTAssertEqual(batch.status, 201, batch.text)
        return (payees, batch.id)
    }

    private func assertInvariants(
        _ harness: PayoutsHarness, _ tenant: PayoutsHarness.Tenant, payees: [String], expectedPayouts: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        let settled = await eventually(timeout: .seconds(90)) {
            (try? await harness.superuserCount(
                """
                SELECT count(*) FROM payouts.payouts WHERE tenant_id = '\(tenant.id)' AND status NOT IN ('processed', 'failed', 'held', 'canceled')
                """)) == 0
        }
        let open = try await harness.superuserCount(
            "SELECT count(*) FROM payouts.payouts WHERE tenant_id = '\(tenant.id)' AND status NOT IN ('processed', 'failed', 'held', 'canceled')"
        )
        XCTAssertTrue(settled, "\(open) payouts never reached a terminal or held state", file: file, line: line)
        let processed = try await harness.superuserCount(
            "SELECT count(*) FROM payouts.payouts WHERE tenant_id = '\(tenant.id)' AND status = 'processed'")
        XCTAssertEqual(processed, Int64(expectedPayouts), file: file, line: line)
        let paid = try await harness.sandboxPayoutsByCofferID()
        XCTAssertEqual(
            paid.values.filter { $0 > 1 }.count, 0, "payouts paid more than once: \(paid.filter { $0.value > 1 })",
            file: file, line: line)
        XCTAssertEqual(
            paid.count, expectedPayouts, "every processed payout was paid at the provider", file: file, line: line)
        for payee in payees {
            let balance = try await harness.balance(payee, tenant)
            XCTAssertEqual(balance.reserved, 0, file: file, line: line)
            let matches = await eventually(timeout: .seconds(30)) {
                (try? await harness.ledgerPayable(tenant.id, payee: payee)) == balance.available
            }
            let ledger = try await harness.ledgerPayable(tenant.id, payee: payee)
            XCTAssertTrue(
                matches, "payee \(payee): balance \(balance.available), ledger \(ledger)", file: file, line: line)
        }
    }

    func testKillNineMidBatchPaysEveryPayoutOnce() async throws {
        let harness = try await PayoutsHarness.start(payoutsEnvironment: Self.busyEnvironment)
        let tenant = try await harness.createTenant(settings: Self.busySettings)
        _ = try await harness.sandboxControl(
            .POST, "/_sandbox/behaviour", json: ["provider": "razorpay", "latency_ms": 150])
        let (payees, _) = try await payroll(harness, tenant, payees: 10, perPayee: 20)
        let started = await eventually(timeout: .seconds(30)) {
            ((try? await harness.sandboxPayoutsByCofferID().count) ?? 0) >= 20
        }
        XCTAssertTrue(started)
        try await harness.restartPayouts(kill: true)
        try await assertInvariants(harness, tenant, payees: payees, expectedPayouts: 200)
        await harness.stop()
    }

    func testProviderTimeoutsAreLookedUpNotPaidAgain() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant()
        let payee = try await harness.createPayee(tenant, balance: 100_000)
        // The sandbox executes the payout and withholds its answer past PROVIDER_TIMEOUT (2 s).
        _ = try await harness.sandboxControl(
            .POST, "/_sandbox/behaviour", json: ["provider": "razorpay", "timeout_next": 2, "timeout_ms": 4_000])
        let first = try await harness.createPayout(tenant, payee: payee, amount: 10_000)
        let second = try await harness.createPayout(tenant, payee: payee, amount: 20_000)
        for payout in [first, second] {
            let processed = await harness.waitForStatus(payout.id, tenant, "processed", timeout: .seconds(45))
            let final = try await harness.payout(payout.id, tenant)
            XCTAssertTrue(processed, final.text)
        }
        try await assertInvariants(harness, tenant, payees: [payee], expectedPayouts: 2)
        await harness.stop()
    }

    func testDatabaseDroppingEveryConnectionMidRunLosesNothing() async throws {
        let harness = try await PayoutsHarness.start(payoutsEnvironment: Self.busyEnvironment)
        let tenant = try await harness.createTenant(settings: Self.busySettings)
        _ = try await harness.sandboxControl(
            .POST, "/_sandbox/behaviour", json: ["provider": "razorpay", "latency_ms": 100])
        let (payees, _) = try await payroll(harness, tenant, payees: 5, perPayee: 30)
        // As in a restart or failover: every session of the services is terminated, three times.
        let pool = harness.database.pool(.admin)
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(700))
            _ = try await pool.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND usename <> current_user
                """)
        }
        await pool.shutdown()
        try await assertInvariants(harness, tenant, payees: payees, expectedPayouts: 150)
        let ready = try await harness.client.send(
            HTTPClientRequest(method: .GET, url: harness.payouts.baseURL + "/health/ready"))
        XCTAssertEqual(ready.status, .ok)
        await harness.stop()
    }
}
