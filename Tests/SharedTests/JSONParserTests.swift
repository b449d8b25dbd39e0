import Foundation
import XCTest

@testable import Shared

final class JSONParserTests: XCTestCase {
    private func assertRejects(_ text: String, _ code: String, line: UInt = #line) {
        assertRejects(Array(text.utf8), code, line: line)
    }

    private func assertRejects(_ bytes: [UInt8], _ code: String, maxDepth: Int = 64, line: UInt = #line) {
        XCTAssertThrowsError(try JSONValue.parse(bytes, maxDepth: maxDepth), line: line) { error in
            XCTAssertEqual(
                (error as? JSONParseError)?.code, code, String(decoding: bytes.prefix(60), as: UTF8.self), line: line)
        }
    }

    // MARK: Valid documents

    func testScalarsAndWhitespace() throws {
        XCTAssertEqual(try JSONValue.parse("null"), .null)
        XCTAssertEqual(try JSONValue.parse(" \t\r\n true \n"), .bool(true))
        XCTAssertEqual(try JSONValue.parse("false"), .bool(false))
        XCTAssertEqual(try JSONValue.parse(#""hi""#), .string("hi"))
        XCTAssertEqual(try JSONValue.parse(#""""#), .string(""))
        XCTAssertEqual(try JSONValue.parse("[]"), .array([]))
        XCTAssertEqual(try JSONValue.parse("{}"), .object([:]))
        XCTAssertEqual(try JSONValue.parse("[ ]"), .array([]))
        XCTAssertEqual(try JSONValue.parse("{ \n }"), .object([:]))
        XCTAssertEqual(try JSONValue.parse(#"[1, "a", [true], {"k": null}]"#), [1, "a", [true], ["k": nil]])
    }

    func testNumbersKeepTheirLiteral() throws {
        for literal in [
            "0", "-0", "1", "-1", "10", "0.5", "-0.5", "10.50", "1e10", "1E10", "1e+2", "1e-2", "-1.5e-3", "0e0",
            "9007199254740993", "123456789012345678901234567890", "1.0000000000000000000000001", "1E400",
        ] {
            XCTAssertEqual(try JSONValue.parse(literal), .number(literal), literal)
            XCTAssertEqual(try JSONValue.parse("[\(literal)]"), .array([.number(literal)]), literal)
        }
        XCTAssertEqual(try JSONValue.parse("9007199254740993").int64Value, 9_007_199_254_740_993)
        XCTAssertEqual(try JSONValue.parse("9223372036854775807").int64Value, Int64.max)
        XCTAssertEqual(try JSONValue.parse("-9223372036854775808").int64Value, Int64.min)
        XCTAssertNil(try JSONValue.parse("9223372036854775808").int64Value)
        XCTAssertEqual(try JSONValue.parse("-0").int64Value, 0)
        XCTAssertNil(try JSONValue.parse("1.0").int64Value)
        XCTAssertNil(try JSONValue.parse("1e2").int64Value)
        XCTAssertNil(try JSONValue.parse(#""12""#).int64Value)
    }

    func testStringEscapes() throws {
        XCTAssertEqual(
            try JSONValue.parse(#""a\"b\\c\/d\be\ff\ng\rh\ti""#), .string("a\"b\\c/d\u{08}e\u{0C}f\ng\rh\ti"))
        XCTAssertEqual(try JSONValue.parse(#""\u0041\u00e9\u20AC""#), .string("Aé€"))
        XCTAssertEqual(try JSONValue.parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try JSONValue.parse(#""x\uD83D\uDE00y""#), .string("x😀y"))
        XCTAssertEqual(try JSONValue.parse(#""\u0000""#), .string("\u{0}"))
        XCTAssertEqual(try JSONValue.parse("\"héllo wörld 😀 ₹\""), .string("héllo wörld 😀 ₹"))
        XCTAssertEqual(try JSONValue.parse("\"é\\n😀\""), .string("é\n😀"))
        XCTAssertEqual(try JSONValue.parse("\"\u{7F}\""), .string("\u{7F}"))
    }

    func testAcceptsAnyContiguousOrNot() throws {
        let text = #"{"a":[1,2,{"b":"c"}]}"#
        let expected: JSONValue = ["a": [1, 2, ["b": "c"]]]
        XCTAssertEqual(try JSONValue.parse(Data(text.utf8)), expected)
        XCTAssertEqual(try JSONValue.parse(Array(text.utf8)[...]), expected)
        XCTAssertEqual(try JSONValue.parse(text.utf8), expected)
        XCTAssertEqual(try JSONValue.parse(Array(text.utf8).lazy.map { $0 }), expected)
        XCTAssertEqual(try JSONValue.parse(("xx" + text + "yy").dropFirst(2).dropLast(2).utf8), expected)
    }

    func testStripeEvent() throws {
        let event = try JSONValue.parse(ProviderPayloads.stripe)
        XCTAssertEqual(event["id"]?.stringValue, "evt_3PqF2aLkdIwHu7ix0Hx9aBcD")
        XCTAssertEqual(event.value(at: "data.object.amount")?.int64Value, 2000)
        XCTAssertEqual(event.value(at: "data.object.amount_received")?.numberLiteral, "9007199254740993")
        XCTAssertEqual(event.value(at: "data.object.amount_received")?.int64Value, 9_007_199_254_740_993)
        XCTAssertEqual(event.value(at: "data.object.currency")?.stringValue, "usd")
        XCTAssertEqual(event.value(at: "data.object.metadata.order_id")?.stringValue, "6735")
        XCTAssertEqual(event.value(at: "data.object.payment_method_types.0")?.stringValue, "card")
        XCTAssertEqual(event.value(at: "livemode")?.boolValue, false)
        XCTAssertEqual(event.value(at: "request.idempotency_key")?.isNull, true)
        XCTAssertEqual(event.value(at: "data.object.charges.data.0.fee_details.0.amount")?.int64Value, 88)
        let amount = try XCTUnwrap(event.value(at: "data.object.amount")?.int64Value)
        let currency = try XCTUnwrap(
            Currency(code: try XCTUnwrap(event.value(at: "data.object.currency")?.stringValue)))
        XCTAssertEqual(Money(minorUnits: amount, currency: currency).majorUnitString, "20.00")
    }

    func testRazorpayEvent() throws {
        let event = try JSONValue.parse(Data(ProviderPayloads.razorpay.utf8))
        XCTAssertEqual(event["event"]?.stringValue, "payment.captured")
        XCTAssertEqual(event.value(at: "payload.payment.entity.amount")?.int64Value, 50000)
        XCTAssertEqual(event.value(at: "payload.payment.entity.currency")?.stringValue, "INR")
        XCTAssertEqual(event.value(at: "payload.payment.entity.fee")?.int64Value, 1180)
        XCTAssertEqual(
            event.value(at: "payload.payment.entity.notes.customer_ref")?.numberLiteral, "12345678901234567890")
        XCTAssertEqual(event.value(at: "payload.payment.entity.acquirer_data.rrn")?.stringValue, "225907367412")
        XCTAssertEqual(event.value(at: "contains.0")?.stringValue, "payment")
        XCTAssertEqual(event.value(at: "payload.payment.entity.error_code")?.isNull, true)
    }

    func testPayPalEvent() throws {
        let event = try JSONValue.parse(ProviderPayloads.paypal)
        XCTAssertEqual(event["event_type"]?.stringValue, "PAYMENT.CAPTURE.COMPLETED")
        let value = try XCTUnwrap(event.value(at: "resource.amount.value")?.stringValue)
        XCTAssertEqual(value, "10.50")
        let currency = try XCTUnwrap(
            Currency(code: try XCTUnwrap(event.value(at: "resource.amount.currency_code")?.stringValue)))
        XCTAssertEqual(try Money.parse(major: value, currency: currency).minorUnits, 1050)
        XCTAssertEqual(
            event.value(at: "resource.seller_receivable_breakdown.paypal_fee.value")?.stringValue, "0.81")
        XCTAssertEqual(event.value(at: "links.1.rel")?.stringValue, "up")
        XCTAssertEqual(
            event.value(at: "resource.supplementary_data.related_ids.order_id")?.stringValue, "5O190127TN364715T")
    }

    // MARK: Rejections

    func testRejectsEmptyAndTrailingData() {
        assertRejects("", "invalid_json")
        assertRejects("   ", "invalid_json")
        assertRejects(#"{"a":1}x"#, "trailing_data")
        assertRejects("1 2", "trailing_data")
        assertRejects("{}{}", "trailing_data")
        assertRejects("[] []", "trailing_data")
        assertRejects("nulll", "trailing_data")
        assertRejects("true false", "trailing_data")
        assertRejects("{} // comment", "trailing_data")
        assertRejects([0x7B, 0x7D, 0x00], "trailing_data")
    }

    func testRejectsBadStructure() {
        for text in [
            "[1,]", #"{"a":1,}"#, "[,1]", "{,}", #"{"a"}"#, #"{"a":}"#, "{a:1}", "{'a':1}", "[1 2]", #"["a" "b"]"#,
            "[", "]", "{", "}", "[1", #"{"a":1"#, #"{"a" 1}"#, "[1}", #"{"a":1]"#, ":", ",", #"{"a":1 "b":2}"#,
            "/* c */ 1", "// c\n1", "[1,,2]", #"{"a"::1}"#, "{1:2}", "{null:1}", "(1)", "'a'", "undefined",
        ] {
            assertRejects(text, "invalid_json")
        }
    }

    func testRejectsBadNumbers() {
        for text in [
            "01", "-01", "00", "+1", ".5", "1.", "1.e5", "1e", "1e+", "1E-", "-", "--1", "NaN", "-NaN", "Infinity",
            "-Infinity", "0x10", "1_000", "1.5.5", "[01]", "[-]", "[1.]", "- 1", "1e5.5", "[.5]", "[+1]", "١",
        ] {
            XCTAssertThrowsError(try JSONValue.parse(text), text)
        }
        assertRejects("01", "invalid_json")
        assertRejects("[1.]", "invalid_json")
        assertRejects("+1", "invalid_json")
    }

    func testRejectsBadLiterals() {
        for text in ["tru", "True", "nul", "NULL", "fals", "t", "[tru]", "{\"a\":nul}"] {
            assertRejects(text, "invalid_json")
        }
    }

    func testRejectsBadStrings() {
        assertRejects(#""abc"#, "invalid_json")
        assertRejects(#""abc\"#, "invalid_json")
        assertRejects(#""\"#, "invalid_json")
        assertRejects("\"a\u{01}b\"", "invalid_json")
        assertRejects("\"a\nb\"", "invalid_json")
        assertRejects("\"a\tb\"", "invalid_json")
        assertRejects("\"\\n\u{1F}\"", "invalid_json")  // control character after an escape (slow path)
        assertRejects(#""\x""#, "invalid_json")
        assertRejects(#""\'""#, "invalid_json")
        assertRejects(#""\U0041""#, "invalid_json")
        assertRejects(#""\u12""#, "invalid_json")
        assertRejects(#""\u12"#, "invalid_json")
        assertRejects(#""\uZZZZ""#, "invalid_json")
        assertRejects(#""\u00G0""#, "invalid_json")
        assertRejects(#""\uD800""#, "invalid_json")  // lone high surrogate
        assertRejects(#""\uD800x""#, "invalid_json")
        assertRejects(#""\uD800\n""#, "invalid_json")
        assertRejects(#""\uD800\u0041""#, "invalid_json")  // high then not-low
        assertRejects(#""\uD800\uD800""#, "invalid_json")
        assertRejects(#""\uDC00""#, "invalid_json")  // lone low surrogate
        assertRejects(#""\uDFFF\uD800""#, "invalid_json")  // reversed pair
        assertRejects(#"{"\uDC00":1}"#, "invalid_json")
    }

    func testRejectsInvalidUTF8() {
        let quote: UInt8 = 0x22
        for body: [UInt8] in [
            [0xFF], [0xFE], [0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
            [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x61, 0xC3], [0xC3, 0x28],
        ] {
            assertRejects([quote] + body + [quote], "invalid_utf8")
            assertRejects([quote, 0x5C, 0x6E] + body + [quote], "invalid_utf8")  // after an escape
            assertRejects([0x7B, quote] + body + [quote, 0x3A, 0x31, 0x7D], "invalid_utf8")  // as a key
        }
        // Non-ASCII bytes outside strings are not JSON, valid UTF-8 or not (a BOM included).
        assertRejects([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], "invalid_json")
        assertRejects([0x5B, 0xFF, 0x5D], "invalid_json")
    }

    func testRejectsDuplicateKeys() {
        assertRejects(#"{"a":1,"a":2}"#, "duplicate_key")
        assertRejects(#"{"a":1,"b":2,"a":1}"#, "duplicate_key")
        assertRejects(#"{"a":1,"\u0061":2}"#, "duplicate_key")  // the same key spelled with an escape
        assertRejects(#"{"x":{"id":1,"id":2}}"#, "duplicate_key")
        assertRejects(#"[{"a":null,"a":null}]"#, "duplicate_key")
        // Swift strings compare by canonical equivalence, so these two spellings of é are one key.
        assertRejects("{\"\u{E9}\":1,\"e\u{301}\":2}", "duplicate_key")
        XCTAssertNoThrow(try JSONValue.parse(#"{"a":{"a":1},"b":{"a":2}}"#))
        XCTAssertNoThrow(try JSONValue.parse(#"[{"a":1},{"a":2}]"#))
        XCTAssertNoThrow(try JSONValue.parse(#"{"a":1,"A":2}"#))
    }

    func testErrorOffsetsAndDescriptionNeverEchoInput() throws {
        do {
            _ = try JSONValue.parse(#"{"secret":"hunter2","secret":1}"#)
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, "duplicate_key")
            XCTAssertEqual(error.offset, 20)
            XCTAssertFalse(error.description.contains("secret"))
            XCTAssertFalse(error.description.contains("hunter2"))
        }
        do {
            _ = try JSONValue.parse("[1, 2, x]")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error, JSONParseError(code: "invalid_json", offset: 7, message: "Expected a value."))
        }
    }

    // MARK: Depth

    func testDepthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNoThrow(try JSONValue.parse(ok))
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        assertRejects(tooDeep, "max_depth_exceeded")
        XCTAssertNoThrow(try JSONValue.parse(tooDeep, maxDepth: 65))
        assertRejects(Array(#"{"a":{"b":1}}"#.utf8), "max_depth_exceeded", maxDepth: 1)
        XCTAssertNoThrow(try JSONValue.parse(#"{"a":[]}"#, maxDepth: 2))
        assertRejects(Array(#"{"a":[]}"#.utf8), "max_depth_exceeded", maxDepth: 1)  // an empty array is a level too
        assertRejects(Array("[]".utf8), "max_depth_exceeded", maxDepth: 0)
        XCTAssertNoThrow(try JSONValue.parse("1", maxDepth: 0))
        assertRejects(Array("[1]".utf8), "max_depth_exceeded", maxDepth: 0)
    }

    func testDepthBombIsRejectedWithoutCrashing() {
        let arrays = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        assertRejects(arrays, "max_depth_exceeded")
        assertRejects(arrays, "max_depth_exceeded", maxDepth: Int.max)  // the ceiling still applies
        let objects = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
        assertRejects(objects, "max_depth_exceeded")
        let balanced = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        assertRejects(balanced, "max_depth_exceeded", maxDepth: 1_000_000)
    }

    func testDeepestAllowedValueIsUsable() throws {
        let depth = JSONValue.depthCeiling
        let text = String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        let value = try JSONValue.parse(text, maxDepth: depth)
        XCTAssertEqual(value.jsonString, text)
        XCTAssertEqual(value, try JSONValue.parse(text, maxDepth: .max))
        XCTAssertEqual(Set([value]).count, 1)
    }
}
