import Contracts
import Shared
import XCTest

@testable import Payments

/// The fee split and its ledger lines: integer arithmetic, documented rounding, always balanced.
final class FeeSplitTests: XCTestCase {
    func fees(
        platform: Int = 1000, provider: Int = 290, fixed: [String: Int64] = ["USD": 30], bounty: Int = 200,
        bearer: String = "payee"
    ) -> TenantSettings.FeeSchedule {
        .init(
            platformFeeBPS: platform, providerFeeBPS: provider, providerFeeFixed: fixed, referralBountyBPS: bounty,
            providerFeeBearer: bearer)
    }

    func testSplitOfATypicalMarketplaceSale() throws {
        let split = try FeeSplit(gross: Money(minorUnits: 10_000, currency: .usd), fees: fees(), hasRecruiter: true)
        XCTAssertEqual(split.platformFee, 1000)
        XCTAssertEqual(split.providerFee, 320)  // 2.9% of 100.00 + 0.30
        XCTAssertEqual(split.bounty, 200)
        XCTAssertEqual(split.payeeNet, 10_000 - 1000 - 320)
        XCTAssertEqual(split.platformNet, 800)
    }

    func testRoundingIsHalfEvenAndExact() throws {
        func fee(_ amount: Int64, _ bps: Int) throws -> Int64 {
            try FeeSplit(
                gross: Money(minorUnits: amount, currency: .usd),
                fees: fees(platform: bps, provider: 0, fixed: [:], bounty: 0),
                hasRecruiter: false
            ).platformFee
        }
        XCTAssertEqual(try fee(100, 250), 2, "2.5 → 2: a tie goes to the even neighbour")
        XCTAssertEqual(try fee(300, 250), 8, "7.5 → 8")
        XCTAssertEqual(try fee(101, 250), 3, "2.525 is above the tie → 3")
        XCTAssertEqual(try fee(99, 250), 2, "2.475 → 2")
        let huge = try FeeSplit(
            gross: Money(minorUnits: Int64.max / 2, currency: .usd), fees: fees(), hasRecruiter: true)
        XCTAssertEqual(huge.payeeNet + huge.platformNet + huge.bounty + huge.providerFee, huge.gross)
    }

    func testEveryCaptureRefundAndPayoutBalances() throws {
        for bearer in ["payee", "platform"] {
            for gross: Int64 in [1, 7, 31, 99, 100, 10_000, 123_457] {
                for recruiter in [nil, "pe_R"] as [String?] {
                    let split = try FeeSplit(
                        gross: Money(minorUnits: gross, currency: .usd), fees: fees(bearer: bearer),
                        hasRecruiter: recruiter != nil)
                    let lines = LedgerPosting.captureLines(
                        split: split, payeeID: "pe_S", recruiterID: recruiter, feeBearer: bearer)
                    XCTAssertEqual(lines.reduce(0) { $0 + $1.amount }, 0, "capture \(gross) \(bearer)")
                    let payeeCredit = -lines.filter { $0.account == "payee_payable:pe_S" }.reduce(0) { $0 + $1.amount }
                    XCTAssertEqual(payeeCredit, split.payeeNet, "the ledger credits the payee its net")
                    XCTAssertGreaterThanOrEqual(split.payeeNet, 0)
                    let share = try split.payeeShare(ofRefund: gross, currency: .usd)
                    XCTAssertEqual(share, split.payeeNet, "a full refund takes back exactly the payee's net")
                    XCTAssertEqual(
                        LedgerPosting.refundLines(amount: gross, payeeShare: share, payeeID: "pe_S").reduce(0) {
                            $0 + $1.amount
                        }, 0)
                }
            }
        }
        XCTAssertEqual(
            LedgerPosting.payoutLines(amount: 500, payeeID: "pe_S", reversed: false).reduce(0) { $0 + $1.amount }, 0)
        XCTAssertEqual(
            LedgerPosting.disputeHoldLines(amount: 500, payeeShare: 400, payeeID: nil).reduce(0) { $0 + $1.amount }, 0)
    }

    /// The review's crash: a fixed fee of Int64.max added unchecked trapped every capture. Settings now
    /// refuse it, and the split itself refuses what it cannot compute instead of trapping.
    func testExtremeFeesThrowInsteadOfTrapping() throws {
        let extremes: [TenantSettings.FeeSchedule] = [
            fees(platform: 0, provider: 10_000, fixed: ["USD": .max], bounty: 0),
            fees(platform: 0, provider: 10_000, fixed: ["USD": .max], bounty: 0, bearer: "platform"),
            fees(platform: 10_000, provider: 10_000, fixed: ["USD": .max], bounty: 10_000),
        ]
        for schedule in extremes {
            for gross: Int64 in [1, 99_999_999_999, .max] {
                do {
                    let split = try FeeSplit(
                        gross: Money(minorUnits: gross, currency: .usd), fees: schedule, hasRecruiter: true)
                    XCTAssertLessThanOrEqual(split.providerFee, gross, "the provider never takes more than the payment")
                    XCTAssertGreaterThanOrEqual(split.payeeNet, 0)
                } catch let error as MoneyError {
                    XCTAssertEqual(error.code, "amount_overflow")
                }
            }
        }
        XCTAssertThrowsError(
            try FeeSplit(gross: Money(minorUnits: -1, currency: .usd), fees: fees(), hasRecruiter: false))
    }

    func testSettingsRefuseAmountsBeyondTheLargestPayment() {
        for amount: Int64 in [.max, 100_000_000_000] {
            XCTAssertThrowsError(try TenantSettings(json: ["fees": ["provider_fee_fixed": ["USD": .int(amount)]]])) {
                error in
                XCTAssertEqual((error as? SettingsError)?.param, "fees.provider_fee_fixed.USD")
            }
            XCTAssertThrowsError(try TenantSettings(json: ["payout_limits": ["daily_total": ["INR": .int(amount)]]]))
            XCTAssertThrowsError(
                try TenantSettings(json: ["refund_policy": ["approval_thresholds": ["INR": .int(amount)]]]))
        }
        XCTAssertNoThrow(try TenantSettings(json: ["fees": ["provider_fee_fixed": ["USD": 99_999_999_999]]]))
        XCTAssertThrowsError(try TenantSettings(json: ["api_rate_limit_per_minute": .int(.max)]))
        XCTAssertThrowsError(try TenantSettings(json: ["time_zone": .string(String(repeating: "A", count: 10_000))]))
    }
}
