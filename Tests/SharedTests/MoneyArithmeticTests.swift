import Foundation
import XCTest

@testable import Shared

final class MoneyArithmeticTests: XCTestCase {
    private func usd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .usd) }

    private func assertCode(_ code: String, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), line: line) { XCTAssertEqual(($0 as? MoneyError)?.code, code, line: line) }
    }

    func testAddSubtractNegate() throws {
        XCTAssertEqual(try usd(1050).adding(usd(-50)), usd(1000))
        XCTAssertEqual(try usd(5).subtracting(usd(10)), usd(-5))
        XCTAssertEqual(try usd(5).negated, usd(-5))
        XCTAssertEqual(try usd(Int64.max).negated, usd(-Int64.max))
        XCTAssertEqual(Money.zero(.jpy), Money(minorUnits: 0, currency: .jpy))
    }

    func testPredicates() {
        XCTAssertTrue(usd(0).isZero)
        XCTAssertFalse(usd(0).isPositive)
        XCTAssertFalse(usd(0).isNegative)
        XCTAssertTrue(usd(-1).isNegative)
        XCTAssertTrue(usd(1).isPositive)
    }

    func testOverflowAndMismatch() {
        assertCode("amount_overflow") { _ = try self.usd(Int64.max).adding(self.usd(1)) }
        assertCode("amount_overflow") { _ = try self.usd(Int64.min).subtracting(self.usd(1)) }
        assertCode("amount_overflow") { _ = try self.usd(Int64.min).negated }
        let yen = Money(minorUnits: 1, currency: .jpy)
        assertCode("currency_mismatch") { _ = try self.usd(1).adding(yen) }
        assertCode("currency_mismatch") { _ = try self.usd(1).subtracting(yen) }
        assertCode("currency_mismatch") { _ = try self.usd(1).compare(yen) }
    }

    func testCompareWithinOneCurrency() throws {
        XCTAssertEqual(try usd(1).compare(usd(2)), .orderedAscending)
        XCTAssertEqual(try usd(2).compare(usd(2)), .orderedSame)
        XCTAssertEqual(try usd(3).compare(usd(2)), .orderedDescending)
        XCTAssertTrue(try usd(-1).isLess(than: usd(0)))
        XCTAssertTrue(try usd(1).isGreater(than: usd(0)))
        XCTAssertNotEqual(usd(1), Money(minorUnits: 1, currency: .eur))
    }

    /// Each row: amount, numerator, denominator, then the expected result for
    /// down, up, halfUp, halfEven, floor, ceiling.
    func testMultipliedByEveryRoundingMode() throws {
        let modes: [MoneyRounding] = [.down, .up, .halfUp, .halfEven, .floor, .ceiling]
        let rows: [(Int64, Int64, Int64, [Int64])] = [
            (25, 1, 10, [2, 3, 3, 2, 2, 3]),  // 2.5: tie, 2 is even
            (35, 1, 10, [3, 4, 4, 4, 3, 4]),  // 3.5: tie, 4 is even
            (-25, 1, 10, [-2, -3, -3, -2, -3, -2]),
            (-35, 1, 10, [-3, -4, -4, -4, -4, -3]),
            (24, 1, 10, [2, 3, 2, 2, 2, 3]),
            (26, 1, 10, [2, 3, 3, 3, 2, 3]),
            (-26, 1, 10, [-2, -3, -3, -3, -3, -2]),
            (25, -1, 10, [-2, -3, -3, -2, -3, -2]),  // sign from the numerator
            (25, 1, -10, [-2, -3, -3, -2, -3, -2]),  // sign from the denominator
            (-25, -1, -10, [-2, -3, -3, -2, -3, -2]),
            (-25, -1, 10, [2, 3, 3, 2, 2, 3]),
            (30, 1, 10, [3, 3, 3, 3, 3, 3]),  // exact
            (0, 7, 3, [0, 0, 0, 0, 0, 0]),
            (1, 1, 3, [0, 1, 0, 0, 0, 1]),
            (2, 1, 3, [0, 1, 1, 1, 0, 1]),
            (-1, 1, 3, [0, -1, 0, 0, -1, 0]),
        ]
        for (amount, numerator, denominator, expected) in rows {
            for (mode, want) in zip(modes, expected) {
                let result = try usd(amount).multiplied(by: numerator, dividedBy: denominator, rounding: mode)
                XCTAssertEqual(result.minorUnits, want, "\(amount) × \(numerator) / \(denominator) \(mode)")
                XCTAssertEqual(result.currency, .usd)
            }
        }
    }

    func testBasisPointFees() throws {
        // 2.5% of 10.50 is 26.25 cents → 26 (halfEven ties only at .5; this is .25).
        XCTAssertEqual(try usd(1050).multiplied(by: 250, dividedBy: 10_000, rounding: .halfEven), usd(26))
        // 2.5% of 10.10 is 25.25 → 25; of 1.00 is 2.5 → 2 (even), halfUp → 3.
        XCTAssertEqual(try usd(100).multiplied(by: 250, dividedBy: 10_000, rounding: .halfEven), usd(2))
        XCTAssertEqual(try usd(100).multiplied(by: 250, dividedBy: 10_000, rounding: .halfUp), usd(3))
    }

    func testMultipliedUses128BitIntermediate() throws {
        // Int64.max × 10_000 overflows 64 bits but the result after dividing fits.
        XCTAssertEqual(try usd(Int64.max).multiplied(by: 10_000, dividedBy: 10_000, rounding: .down), usd(Int64.max))
        XCTAssertEqual(try usd(Int64.min).multiplied(by: 3, dividedBy: 3, rounding: .down), usd(Int64.min))
        XCTAssertEqual(
            try usd(Int64.max).multiplied(by: Int64.max, dividedBy: Int64.max, rounding: .up), usd(Int64.max))
        XCTAssertEqual(try usd(Int64.min).multiplied(by: 1, dividedBy: 2, rounding: .down), usd(Int64.min / 2))
        assertCode("amount_overflow") { _ = try self.usd(Int64.max).multiplied(by: 2, dividedBy: 1, rounding: .down) }
        assertCode("amount_overflow") { _ = try self.usd(Int64.min).multiplied(by: -1, dividedBy: 1, rounding: .down) }
        assertCode("amount_overflow") {
            _ = try self.usd(Int64.max).multiplied(by: Int64.max, dividedBy: 3, rounding: .down)
        }
        // Rounding up past the largest magnitude must be caught too.
        assertCode("amount_overflow") {
            _ = try self.usd(Int64.max).multiplied(by: Int64.max, dividedBy: Int64.max - 1, rounding: .up)
        }
        assertCode("division_by_zero") { _ = try self.usd(1).multiplied(by: 1, dividedBy: 0, rounding: .down) }
    }

    func testAllocationSumsExactly() throws {
        XCTAssertEqual(try usd(100).allocated(proportionally: [1, 1, 1]).map(\.minorUnits), [34, 33, 33])
        XCTAssertEqual(try usd(-100).allocated(proportionally: [1, 1, 1]).map(\.minorUnits), [-34, -33, -33])
        XCTAssertEqual(try usd(5).allocated(proportionally: [3, 7]).map(\.minorUnits), [2, 3])  // 1.5, 3.5: tie → first
        XCTAssertEqual(try usd(10).allocated(proportionally: [70, 20, 10]).map(\.minorUnits), [7, 2, 1])
        XCTAssertEqual(try usd(1).allocated(proportionally: [0, 1, 1]).map(\.minorUnits), [0, 1, 0])
        XCTAssertEqual(try usd(0).allocated(proportionally: [1, 2]).map(\.minorUnits), [0, 0])
        XCTAssertEqual(try usd(7).allocated(proportionally: [5]).map(\.minorUnits), [7])
        // Largest remainder wins over position: 10 × [1, 2] / 3 = 3.33, 6.67 → [3, 7].
        XCTAssertEqual(try usd(10).allocated(proportionally: [1, 2]).map(\.minorUnits), [3, 7])
        for amount: Int64 in [Int64.max, Int64.min, 1, 999_999_937, -31] {
            for weights: [Int64] in [[1, 1, 1], [Int64.max / 2, Int64.max / 2], [3, 0, 9, 1, 1, 1, 1], [1]] {
                let parts = try usd(amount).allocated(proportionally: weights)
                XCTAssertEqual(parts.count, weights.count)
                var sum: Int64 = 0
                for part in parts { sum = try XCTUnwrap(sum.addingReportingOverflow(part.minorUnits).partialValue) }
                XCTAssertEqual(sum, amount, "\(amount) \(weights)")
            }
        }
    }

    func testAllocationRejectsBadWeights() {
        assertCode("invalid_amount") { _ = try self.usd(1).allocated(proportionally: []) }
        assertCode("invalid_amount") { _ = try self.usd(1).allocated(proportionally: [1, -1]) }
        assertCode("division_by_zero") { _ = try self.usd(1).allocated(proportionally: [0, 0]) }
        assertCode("amount_overflow") { _ = try self.usd(1).allocated(proportionally: [Int64.max, 1]) }
    }

    func testCodableShape() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(usd(1050)), as: UTF8.self)
        XCTAssertEqual(json, #"{"amount":1050,"currency":"USD"}"#)
        let decoded = try JSONDecoder().decode(Money.self, from: Data(#"{"currency":"kwd","amount":-1234}"#.utf8))
        XCTAssertEqual(decoded, Money(minorUnits: -1234, currency: .kwd))
        let big = try JSONDecoder().decode(
            Money.self, from: Data(#"{"amount":9223372036854775807,"currency":"JPY"}"#.utf8))
        XCTAssertEqual(big.minorUnits, Int64.max)
        for bad in [
            #"{"amount":"10.50","currency":"USD"}"#, #"{"amount":10.5,"currency":"USD"}"#,
            #"{"amount":1,"currency":"XAU"}"#, #"{"amount":1}"#, #"{"amount":9223372036854775808,"currency":"USD"}"#,
        ] {
            XCTAssertThrowsError(try JSONDecoder().decode(Money.self, from: Data(bad.utf8)), bad)
        }
    }
}
