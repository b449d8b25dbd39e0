import Shared
import XCTest

@testable import Contracts

/// Which settings changes need a second person: every field, both directions.
final class SettingsReviewTests: XCTestCase {
    func settings(_ json: JSONValue) throws -> TenantSettings { try TenantSettings(json: json) }

    func testEachLooseningIsNamedAndEachTighteningIsNot() throws {
        let base = try settings([
            "refund_policy": ["window_days": 30, "max_refund_share_bps": 5000, "approval_thresholds": ["USD": 1000]],
            "payout_limits": [
                "max_single_payout": ["INR": 5000], "daily_total": ["INR": 50_000],
                "approval_thresholds": ["INR": 2000],
                "max_payouts_per_payee_per_day": 5, "new_payee_cooling_hours": 24,
            ],
            "test_payout": ["enabled": true], "api_rate_limit_per_minute": 100, "fees": ["platform_fee_bps": 100],
        ])
        let cases: [(JSONValue, [String])] = [
            (["refund_policy": ["window_days": 60]], ["refund_policy.window_days"]),
            (["refund_policy": ["window_days": 0]], ["refund_policy.window_days"]),
            (["refund_policy": ["window_days": 10]], []),
            (["refund_policy": ["max_refund_share_bps": 10_000]], ["refund_policy.max_refund_share_bps"]),
            (["refund_policy": ["approval_thresholds": ["USD": 2000]]], ["refund_policy.approval_thresholds.USD"]),
            (["refund_policy": ["approval_thresholds": ["USD": .null]]], ["refund_policy.approval_thresholds.USD"]),
            (["refund_policy": ["approval_thresholds": ["USD": 500, "EUR": 100]]], []),
            (["payout_limits": ["max_single_payout": ["INR": 6000]]], ["payout_limits.max_single_payout.INR"]),
            (["payout_limits": ["max_single_payout": ["INR": 4000, "USD": 1]]], []),
            (["payout_limits": ["daily_total": ["INR": 60_000]]], ["payout_limits.daily_total.INR"]),
            (["payout_limits": ["approval_thresholds": ["INR": 9000]]], ["payout_limits.approval_thresholds.INR"]),
            (["payout_limits": ["max_payouts_per_payee_per_day": 6]], ["payout_limits.max_payouts_per_payee_per_day"]),
            (["payout_limits": ["new_payee_cooling_hours": 1]], ["payout_limits.new_payee_cooling_hours"]),
            (["payout_limits": ["new_payee_cooling_hours": 48]], []),
            (["test_payout": ["enabled": false]], ["test_payout.enabled"]),
            (["api_rate_limit_per_minute": 101], ["api_rate_limit_per_minute"]),
            (["api_rate_limit_per_minute": 10], []),
            (["fees": ["platform_fee_bps": 50]], ["fees"]),
            (["time_zone": "Asia/Kolkata"], []),
        ]
        for (patch, expected) in cases {
            let proposed = try settings(TenantSettings.mergePatch(base.json, patch))
            XCTAssertEqual(base.loosenedFields(by: proposed), expected, "\(patch)")
        }
        // A window opened from "none" (0) to some days tightens; no window from none is no change.
        let noWindow = try settings(["refund_policy": ["window_days": 0]])
        XCTAssertEqual(noWindow.loosenedFields(by: try settings(["refund_policy": ["window_days": 30]])), [])
    }
}
