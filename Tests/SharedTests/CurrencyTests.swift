import Foundation
import XCTest

@testable import Shared

final class CurrencyTests: XCTestCase {
    func testExponentSpotChecks() throws {
        let expected: [String: Int] = [
            "JPY": 0, "KWD": 3, "BHD": 3, "CLF": 4, "INR": 2, "UGX": 0, "XOF": 0, "XAF": 0, "RWF": 0,
            "USD": 2, "EUR": 2, "UYW": 4, "TND": 3, "OMR": 3, "IQD": 3, "JOD": 3, "LYD": 3, "KRW": 0, "VND": 0,
            "ISK": 0, "CLP": 0, "ZMW": 2, "KES": 2, "NGN": 2, "GHS": 2, "ZAR": 2, "XCG": 2, "ZWG": 2, "SLE": 2,
        ]
        for (code, exponent) in expected {
            let currency = try XCTUnwrap(Currency(code: code), code)
            XCTAssertEqual(currency.code, code)
            XCTAssertEqual(currency.exponent, exponent, code)
        }
    }

    func testNamedConstantsMatchTheTable() {
        let constants: [Currency] = [
            .usd, .eur, .gbp, .inr, .jpy, .kwd, .bhd, .zar, .ngn, .ghs, .kes, .ugx, .zmw, .rwf, .xof, .xaf,
            .tzs, .mwk, .egp, .cad, .aud,
        ]
        for constant in constants {
            XCTAssertEqual(Currency(code: constant.code), constant, constant.code)
        }
    }

    func testUnknownAndWithdrawnCodesAreRejected() {
        for code in [
            "", "US", "USDX", "ABC", "XAU", "XAG", "XDR", "XTS", "XXX", "XSU", "HRK", "ZWL", "SLL", "U$D", "12A", "ÜSD",
            " USD",
        ] {
            XCTAssertNil(Currency(code: code), code)
        }
    }

    func testCodeIsCaseInsensitiveAndStoredUppercase() {
        XCTAssertEqual(Currency(code: "usd"), .usd)
        XCTAssertEqual(Currency(code: "Jpy"), .jpy)
        XCTAssertEqual(Currency(code: "kWd")?.code, "KWD")
    }

    func testTableHasEveryActiveCodeOnce() {
        let all = Currency.all
        XCTAssertEqual(all.count, 167)
        XCTAssertEqual(Set(all.map(\.code)).count, all.count)
        XCTAssertEqual(all.map(\.code), all.map(\.code).sorted())
        XCTAssertTrue(all.allSatisfy { [0, 2, 3, 4].contains($0.exponent) })
    }

    func testComparableByCode() {
        XCTAssertLessThan(Currency.eur, Currency.usd)
        XCTAssertEqual([Currency.usd, .eur, .gbp].sorted(), [.eur, .gbp, .usd])
    }

    func testCodableAsCodeString() throws {
        XCTAssertEqual(String(decoding: try JSONEncoder().encode([Currency.kwd]), as: UTF8.self), #"["KWD"]"#)
        XCTAssertEqual(try JSONDecoder().decode([Currency].self, from: Data(#"["usd","JPY"]"#.utf8)), [.usd, .jpy])
        XCTAssertThrowsError(try JSONDecoder().decode([Currency].self, from: Data(#"["XAU"]"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode([Currency].self, from: Data(#"[840]"#.utf8)))
    }
}
