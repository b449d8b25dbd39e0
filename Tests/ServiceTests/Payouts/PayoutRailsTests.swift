import Contracts
import Foundation
import Shared
import XCTest

@testable import Payouts

/// The payout safety rails as pure decisions: which limit refuses a payout (and names itself), and
/// which approvals and holds it waits for.
final class PayoutRailsTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let limits = TenantSettings.PayoutLimits(
        maxSinglePayout: ["INR": 1_000_000], dailyTotal: ["INR": 5_000_000], maxPayoutsPerPayeePerDay: 3,
        newPayeeCoolingHours: 24,
        approvalThresholds: ["INR": 500_000], minimumPayout: ["employee": ["INR": 10_000]])

    func refusal(
        _ amount: Int64, type: String = "seller", ageHours: Double = 48, today: Int64 = 0, daily: Int64? = 0,
        currency: Currency = .inr
    ) -> String? {
        PayoutRails.limitRefusal(
            amount: amount, currency: currency, payeeType: type,
            payeeNewSince: now.addingTimeInterval(-ageHours * 3600),
            limits: limits, payoutsToday: today, dailyTotal: daily, now: now)?.code
    }

    func testEachLimitRefusesByItsOwnCode() {
        XCTAssertNil(refusal(100_000))
        XCTAssertEqual(refusal(9_999, type: "employee"), "amount_below_minimum")
        XCTAssertNil(refusal(9_999, type: "seller"), "the minimum is per payee type")
        XCTAssertEqual(refusal(1_000_001), "payout_limit_exceeded")
        XCTAssertNil(refusal(1_000_000), "the largest single payout is allowed")
        XCTAssertEqual(refusal(100, ageHours: 23.9), "payee_cooling_period")
        XCTAssertNil(refusal(100, ageHours: 24.1))
        XCTAssertEqual(refusal(100, today: 3), "payout_limit_exceeded")
        XCTAssertNil(refusal(100, today: 2))
        XCTAssertEqual(refusal(100, daily: 4_999_901), "payout_limit_exceeded")
        XCTAssertNil(refusal(100, daily: 4_999_900), "exactly the daily limit is allowed")
        XCTAssertEqual(
            refusal(100, daily: Int64.max), "payout_limit_exceeded",
            "an overflowing total is over the limit, not a crash")
        XCTAssertNil(refusal(100, daily: nil), "no total read: no daily check")
        XCTAssertNil(refusal(10_000_000, currency: .usd), "limits are per currency")
    }

    func gates(
        _ amount: Int64, unverified: Bool = false, firstRun: Bool = true, signals: PayoutStore.FraudSignals = .init()
    )
        -> PayoutLifecycle.Gates
    {
        PayoutRails.gates(
            amount: amount, currency: .inr, payeeUnverified: unverified, limits: limits, firstRunConfirmed: firstRun,
            signals: signals, velocityPerHour: 10, historyMultiplier: 5)
    }

    func testApprovalsAndHoldsAreNamed() {
        XCTAssertEqual(gates(100), PayoutLifecycle.Gates(approvalReasons: [], holdReasons: [], scheduledFor: nil))
        XCTAssertEqual(gates(500_001, firstRun: false).approvalReasons, ["first_run", "above_approval_threshold"])
        XCTAssertEqual(gates(500_000).approvalReasons, [], "at the threshold: no approval")
        XCTAssertEqual(gates(100, unverified: true).holdReasons, ["destination_unverified"])
        XCTAssertEqual(gates(100, signals: .init(lastHour: 10)).holdReasons, ["velocity"])
        XCTAssertEqual(gates(100, signals: .init(lastHour: 9)).holdReasons, [])
        XCTAssertEqual(gates(100, signals: .init(sharedDestination: 1)).holdReasons, ["shared_destination"])
        // Far above history needs a history: three paid payouts, and more than five times the largest.
        let history = PayoutStore.FraudSignals(recentPaid: 3, largestRecent: 1_000)
        XCTAssertEqual(gates(5_001, signals: history).holdReasons, ["amount_above_history"])
        XCTAssertEqual(gates(5_000, signals: history).holdReasons, [])
        XCTAssertEqual(gates(5_001, signals: .init(recentPaid: 2, largestRecent: 1_000)).holdReasons, [])
        XCTAssertEqual(
            gates(Int64.max, signals: .init(recentPaid: 3, largestRecent: Int64.max)).holdReasons, [],
            "an overflowing multiple holds nothing and traps nothing")
    }
}
