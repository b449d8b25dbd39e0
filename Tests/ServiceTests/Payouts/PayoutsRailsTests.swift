import Contracts
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// The tenant's limits, clawbacks that take a balance below zero and are netted from later earnings,
/// and the provider balance check.
final class PayoutsRailsTests: XCTestCase {
    func testLimitsClawbacksAndProviderBalanceSync() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant(settings: [
            "payout_limits": [
                "minimum_payout": ["seller": ["INR": 1_000]], "daily_total": ["INR": 30_000],
            ]
        ])
        let payee = try await harness.createPayee(tenant, balance: 100_000)
        let small = try await harness.createPayout(tenant, payee: payee, amount: 500)
        XCTAssertEqual(small.errorCode, "amount_below_minimum", small.text)
        let first = try await harness.createPayout(tenant, payee: payee, amount: 20_000)
        XCTAssertEqual(first.status, 201, first.text)
        let overDaily = try await harness.createPayout(tenant, payee: payee, amount: 15_000)
        XCTAssertEqual(overDaily.errorCode, "payout_limit_exceeded", overDaily.text)
        XCTAssertEqual(overDaily["error"]?["param"]?.stringValue, "amount")
        let paid = await harness.waitForStatus(first.id, tenant, "processed")
        XCTAssertTrue(paid)

        // A refund claws back more than is left: the balance goes below zero, payouts stop, and later
        // earnings net the debt. A repeated event changes nothing.
        let clawback = try harness.balanceEvent(
            MoneyEventType.payeeDebited, tenant, payee: payee, amount: 90_000, reason: "refund")
        for _ in 0..<2 {
            let response = try await harness.postEvents([clawback])
            XCTAssertEqual(response.status, .ok, response.bodyText)
        }
        let inDebt = try await harness.balance(payee, tenant)
        XCTAssertEqual(inDebt.available, -10_000)
        let blocked = try await harness.createPayout(tenant, payee: payee, amount: 1_000)
        XCTAssertEqual(blocked.errorCode, "insufficient_balance", blocked.text)
        let earnings = try harness.balanceEvent(
            MoneyEventType.payeeCredited, tenant, payee: payee, amount: 25_000, reason: "payment_captured",
            source: CofferID.generate(.payment))
        let credited = try await harness.postEvents([earnings])
        XCTAssertEqual(credited.status, .ok)
        let netted = try await harness.balance(payee, tenant)
        XCTAssertEqual(netted.available, 15_000, "the debt is netted from the new earnings")
        let otherTenantsEvent = try harness.balanceEvent(
            MoneyEventType.payeeCredited, try await harness.createTenant(), payee: payee,
            amount: 1_000_000, reason: "payment_captured")
        let refused = try await harness.postEvents([otherTenantsEvent])
        XCTAssertFalse((200..<300).contains(refused.status.code), "refused for good: \(refused.bodyText)")
        let unchanged = try await harness.balance(payee, tenant)
        XCTAssertEqual(unchanged.available, 15_000, "another tenant's event cannot credit this tenant's payee")
        let orphans = try await harness.superuserCount(
            "SELECT count(*) FROM payouts.balances WHERE payee_id = '\(payee)' AND tenant_id <> '\(tenant.id)'")
        XCTAssertEqual(orphans, 0, "no balance is booked for a payee another tenant does not have")

        // The provider account holds less than what waits to be paid: the sync says so.
        let scheduled = try await harness.createPayout(
            tenant, payee: payee, amount: 8_000,
            extra: ["scheduled_for": .string(Timestamp.rfc3339(Date().addingTimeInterval(3600)))])
        XCTAssertEqual(scheduled["status"]?.stringValue, "scheduled", scheduled.text)
        _ = try await harness.sandboxControl(
            .POST, "/_sandbox/payouts/balances",
            json: [
                "provider": "razorpay", "account": .string(tenant.razorpayKeyID),
                "account_number": .string(tenant.razorpayAccount),
                "available": 5_000,
            ])
        let sync = try await harness.admin(.POST, "/admin/provider-balances/sync")
        XCTAssertEqual(sync.status, 200, sync.text)
        XCTAssertEqual(sync["recorded"]?.int64Value, 1, sync.text)
        let balances = try await harness.admin(.GET, "/admin/provider-balances")
        let row = balances["data"]?.arrayValue?.first { $0["tenant_id"]?.stringValue == tenant.id }
        XCTAssertEqual(row?["available"]?.int64Value, 5_000, balances.text)
        XCTAssertEqual(row?["queued"]?.int64Value, 8_000)
        XCTAssertEqual(row?["covers_queue"], false)
        let low = await eventually(timeout: .seconds(10)) {
            harness.recorder.applied.withLock {
                $0.contains { $0.type == "provider_balance.low" && $0.tenantID == tenant.id }
            }
        }
        XCTAssertTrue(low, "notifications hear provider_balance.low")
        await harness.stop()
    }

    func testNewPayeesWaitOutTheCoolingPeriod() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant(settings: ["payout_limits": ["new_payee_cooling_hours": 24]])
        let payee = try await harness.createPayee(tenant, balance: 10_000)
        let payout = try await harness.createPayout(tenant, payee: payee, amount: 1_000)
        XCTAssertEqual(payout.errorCode, "payee_cooling_period", payout.text)
        let balance = try await harness.balance(payee, tenant)
        XCTAssertEqual(balance.available, 10_000, "nothing was reserved")
        await harness.stop()
    }
}
