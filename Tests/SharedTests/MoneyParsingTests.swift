import XCTest

@testable import Shared

final class MoneyParsingTests: XCTestCase {
    private func minor(_ text: String, _ currency: Currency, negative: Bool = false) throws -> Int64 {
        try Money.parse(major: text, currency: currency, allowNegative: negative).minorUnits
    }

    private func assertRejects(
        _ text: String, _ currency: Currency, code: String, negative: Bool = false, line: UInt = #line
    ) {
        XCTAssertThrowsError(try Money.parse(major: text, currency: currency, allowNegative: negative), line: line) {
            XCTAssertEqual(($0 as? MoneyError)?.code, code, "input \(text)", line: line)
        }
    }

    func testParsesTwoDecimalCurrency() throws {
        XCTAssertEqual(try minor("10", .usd), 1000)
        XCTAssertEqual(try minor("10.5", .usd), 1050)
        XCTAssertEqual(try minor("10.50", .usd), 1050)
        XCTAssertEqual(try minor("0.05", .usd), 5)
        XCTAssertEqual(try minor("0", .usd), 0)
        XCTAssertEqual(try minor("0.00", .usd), 0)
        XCTAssertEqual(try minor("10.500", .usd), 1050)
        XCTAssertEqual(try minor("10.5000000000000000000000", .usd), 1050)
        XCTAssertEqual(try minor("1234567.89", .inr), 123_456_789)
    }

    func testParsesZeroAndThreeDecimalCurrencies() throws {
        XCTAssertEqual(try minor("1000", .jpy), 1000)
        XCTAssertEqual(try minor("1000.0", .jpy), 1000)
        XCTAssertEqual(try minor("1000.00", .ugx), 1000)
        XCTAssertEqual(try minor("1.234", .kwd), 1234)
        XCTAssertEqual(try minor("1.2", .kwd), 1200)
        XCTAssertEqual(try minor("0.001", .bhd), 1)
        XCTAssertEqual(try minor("1.2345", Currency(code: "CLF")!), 12345)
    }

    func testNegativeOnlyWhenAllowed() throws {
        XCTAssertEqual(try minor("-3.25", .usd, negative: true), -325)
        XCTAssertEqual(try minor("-0.05", .usd, negative: true), -5)
        XCTAssertEqual(try minor("-0", .usd, negative: true), 0)
        assertRejects("-3.25", .usd, code: "negative_amount")
        assertRejects("-0", .usd, code: "negative_amount")
        assertRejects("-", .usd, code: "invalid_amount", negative: true)
        assertRejects("--1", .usd, code: "invalid_amount", negative: true)
        assertRejects("-x", .usd, code: "invalid_amount")
    }

    func testRejectsMalformedText() {
        for text in [
            "", " ", " 10", "10 ", "1 0", "+10", "+", "1e3", "1E3", "10e0", ".5", "10.", ".", "1,000", "1,000.00",
            "10.5.0", "0x10", "ten", "１０", "10.5a", "1_000", "00", "01", "007.50", "NaN", "Infinity", "10..5", "\n",
        ] {
            assertRejects(text, .usd, code: "invalid_amount")
        }
    }

    func testRejectsSignificantExtraDecimals() {
        assertRejects("10.505", .usd, code: "too_many_decimals")
        assertRejects("10.5001", .usd, code: "too_many_decimals")
        assertRejects("1000.5", .jpy, code: "too_many_decimals")
        assertRejects("1.2345", .kwd, code: "too_many_decimals")
        assertRejects("-0.001", .usd, code: "too_many_decimals", negative: true)
    }

    func testInt64Bounds() throws {
        XCTAssertEqual(try minor("92233720368547758.07", .usd), Int64.max)
        XCTAssertEqual(try minor("-92233720368547758.08", .usd, negative: true), Int64.min)
        XCTAssertEqual(try minor("9223372036854775807", .jpy), Int64.max)
        assertRejects("92233720368547758.08", .usd, code: "amount_overflow")
        assertRejects("-92233720368547758.09", .usd, code: "amount_overflow", negative: true)
        assertRejects("9223372036854775808", .jpy, code: "amount_overflow")
        assertRejects("92233720368547758070", .usd, code: "amount_overflow")
        assertRejects(String(repeating: "9", count: 400), .usd, code: "amount_overflow")
        assertRejects("9223372036854775807.9", .kwd, code: "amount_overflow")
    }

    func testFormatsMajorUnits() {
        XCTAssertEqual(Money(minorUnits: 1050, currency: .usd).majorUnitString, "10.50")
        XCTAssertEqual(Money(minorUnits: 5, currency: .usd).majorUnitString, "0.05")
        XCTAssertEqual(Money(minorUnits: -5, currency: .usd).majorUnitString, "-0.05")
        XCTAssertEqual(Money(minorUnits: 0, currency: .usd).majorUnitString, "0.00")
        XCTAssertEqual(Money(minorUnits: 1000, currency: .jpy).majorUnitString, "1000")
        XCTAssertEqual(Money(minorUnits: -1000, currency: .jpy).majorUnitString, "-1000")
        XCTAssertEqual(Money(minorUnits: 1234, currency: .kwd).majorUnitString, "1.234")
        XCTAssertEqual(Money(minorUnits: 1, currency: .kwd).majorUnitString, "0.001")
        XCTAssertEqual(Money(minorUnits: Int64.max, currency: .usd).majorUnitString, "92233720368547758.07")
        XCTAssertEqual(Money(minorUnits: Int64.min, currency: .usd).majorUnitString, "-92233720368547758.08")
        XCTAssertEqual(Money(minorUnits: Int64.min, currency: .jpy).majorUnitString, "-9223372036854775808")
        XCTAssertEqual(Money(minorUnits: 1050, currency: .usd).description, "10.50 USD")
    }

    func testRoundTripsThroughMajorUnits() throws {
        let samples: [Int64] = [0, 1, 9, 10, 99, 100, 101, 1050, 123_456_789, Int64.max, Int64.min, -1, -100, -123_456]
        for currency in [Currency.jpy, .usd, .kwd, Currency(code: "CLF")!] {
            for value in samples {
                let money = Money(minorUnits: value, currency: currency)
                let parsed = try Money.parse(major: money.majorUnitString, currency: currency, allowNegative: true)
                XCTAssertEqual(parsed, money, "\(value) \(currency)")
            }
        }
    }
}
