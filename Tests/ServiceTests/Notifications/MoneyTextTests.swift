import Shared
import XCTest

@testable import Notifications

/// Amounts in messages: each shipped locale's grouping and decimal mark, each currency's exponent and
/// symbol, and the extremes of Int64.
final class MoneyTextTests: XCTestCase {
    func text(_ minorUnits: Int64, _ currency: Currency, _ locale: String) -> String {
        MoneyText.format(Money(minorUnits: minorUnits, currency: currency), locale: locale)
    }

    func testLocalesAndCurrencies() throws {
        XCTAssertEqual(text(123_450, .inr, "en"), "₹1,234.50")
        XCTAssertEqual(text(12_345_650, .inr, "hi"), "₹1,23,456.50", "Indian grouping: three, then twos")
        XCTAssertEqual(text(1_234_567_800, .inr, "hi-IN"), "₹1,23,45,678.00")
        XCTAssertEqual(text(12_345_650, .inr, "en"), "₹123,456.50")
        XCTAssertEqual(text(123_450, .kes, "sw"), "KSh\u{00A0}1,234.50")
        XCTAssertEqual(text(123_450, try XCTUnwrap(Currency(code: "ZMW")), "en"), "K1,234.50")
        XCTAssertEqual(text(123_450, try XCTUnwrap(Currency(code: "ZAR")), "zu"), "R1,234.50")
        XCTAssertEqual(text(123_450, try XCTUnwrap(Currency(code: "EUR")), "fr"), "1\u{202F}234,50\u{00A0}€")
        XCTAssertEqual(text(1_234, .jpy, "en"), "¥1,234", "no decimals for a zero-exponent currency")
        XCTAssertEqual(
            text(1_234_567, try XCTUnwrap(Currency(code: "KWD")), "en"), "KWD\u{00A0}1,234.567", "three decimals, code")
        XCTAssertEqual(text(5, .usd, "en"), "$0.05")
        XCTAssertEqual(text(0, .usd, "en"), "$0.00")
        XCTAssertEqual(text(-150, .usd, "en"), "-$1.50")
        XCTAssertEqual(text(123_450, .inr, "xx"), "₹1,234.50", "an unknown locale reads as English")
    }

    func testTheExtremesOfInt64DoNotTrap() {
        XCTAssertEqual(text(Int64.max, .usd, "en"), "$92,233,720,368,547,758.07")
        XCTAssertEqual(text(Int64.min, .usd, "en"), "-$92,233,720,368,547,758.08")
        XCTAssertEqual(text(Int64.min, .jpy, "hi"), "-¥92,23,37,20,36,85,47,75,808")
    }
}
