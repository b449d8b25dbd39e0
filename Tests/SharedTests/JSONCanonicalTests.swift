import Foundation
import XCTest

@testable import Shared

final class JSONCanonicalTests: XCTestCase {
    private func canonical(_ text: String) throws -> String {
        String(decoding: try JSONValue.canonicalize(Array(text.utf8)), as: UTF8.self)
    }

    func testWhitespaceAndKeyOrderDoNotMatter() throws {
        let variants = [
            #"{"b":1,"a":{"y":[1,2,{"q":true,"p":null}],"x":"s"}}"#,
            #"{ "a" : { "x" : "s" , "y" : [ 1 , 2 , { "p" : null , "q" : true } ] } , "b" : 1 }"#,
            "\n\t{\"a\":{\"y\":[1,\n2,{\"p\":null,\"q\":true}],\"x\":\"s\"},\r\n\"b\":1}  ",
            #"{"b":1,"a":{"x":"\u0073","y":[1,2,{"q":true,"p":null}]}}"#,
        ]
        let expected = #"{"a":{"x":"s","y":[1,2,{"p":null,"q":true}]},"b":1}"#
        for variant in variants { XCTAssertEqual(try canonical(variant), expected, variant) }
        XCTAssertEqual(Set(try variants.map { try JSONValue.canonicalize(Array($0.utf8)) }).count, 1)
    }

    func testKeysSortByUTF8Bytes() throws {
        // Byte order: uppercase before lowercase, "a" before "aa", non-ASCII last; "é" (C3 A9) before "😀" (F0 …).
        let value: JSONValue = ["b": 1, "a": 2, "B": 3, "aa": 4, "": 5, "é": 6, "😀": 7, "z": 8, "_": 9, "1": 10]
        XCTAssertEqual(value.jsonString, #"{"":5,"1":10,"B":3,"_":9,"a":2,"aa":4,"b":1,"z":8,"é":6,"😀":7}"#)
    }

    func testNumbersAreWrittenAsTheirLiteral() throws {
        XCTAssertEqual(
            try canonical("[1.0, 1, 1e2, 1E+2, -0, 9007199254740993, 10.50]"),
            "[1.0,1,1e2,1E+2,-0,9007199254740993,10.50]")
        XCTAssertEqual(JSONValue.int(-42).jsonString, "-42")
        XCTAssertEqual(JSONValue.int(Int64.min).jsonString, "-9223372036854775808")
        // A number built in code from text that is not a number still serializes to valid JSON.
        XCTAssertEqual(JSONValue.number("NaN").jsonString, #""NaN""#)
        XCTAssertEqual(JSONValue.number(literal: "10.50"), .number("10.50"))
        XCTAssertNil(JSONValue.number(literal: "10."))
        XCTAssertNil(JSONValue.number(literal: ""))
        XCTAssertNil(JSONValue.number(literal: "1 "))
    }

    func testStringsAreMinimallyEscaped() throws {
        XCTAssertEqual(try canonical(#""\/ \u0041 \u00e9 \u20ac \ud83d\ude00""#), "\"/ A é € 😀\"")
        XCTAssertEqual(
            try canonical(#""\"\\\b\f\n\r\t\u0001\u001f\u007f""#), "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\u{7F}\"")
        XCTAssertEqual(try canonical(#""\u0000""#), #""\u0000""#)
    }

    func testEscapesRoundTrip() throws {
        var scalars = (0..<0x80).compactMap { Unicode.Scalar($0) }.map(String.init).joined()
        scalars += "é€😀\u{2028}\u{FEFF}\u{10FFFF}"
        let value: JSONValue = ["all": .string(scalars), .init(stringLiteral: scalars): [.string(scalars)]]
        let bytes = value.serialized()
        XCTAssertEqual(try JSONValue.parse(bytes), value)
        XCTAssertEqual(try JSONValue.canonicalize(bytes), bytes)
        XCTAssertEqual(try JSONValue.parse(value.serialized(canonical: false)), value)
    }

    func testCanonicalizationIsIdempotent() throws {
        for text in [ProviderPayloads.stripe, ProviderPayloads.razorpay, ProviderPayloads.paypal] {
            let once = try JSONValue.canonicalize(Array(text.utf8))
            XCTAssertEqual(try JSONValue.canonicalize(once), once)
            XCTAssertFalse(once.contains(UInt8(ascii: "\n")))
            XCTAssertEqual(try JSONValue.parse(once), try JSONValue.parse(text))
        }
    }

    func testNonCanonicalStillCompactAndValid() throws {
        let value = try JSONValue.parse(ProviderPayloads.stripe)
        let bytes = value.serialized(canonical: false)
        XCTAssertEqual(try JSONValue.parse(bytes), value)
        XCTAssertEqual(bytes.count, value.serialized().count)
    }

    func testWriterEmbedsValues() throws {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("data")
        writer.value(["b": 1, "a": [true, nil]])
        writer.raw("}")
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), #"{"data":{"a":[true,null],"b":1}}"#)
    }

    func testValueAtPath() throws {
        let value = try JSONValue.parse(
            #"{"data":{"object":{"id":"pi_1","items":[{"id":"a"},{"id":"b"}],"0":"zero","":"empty"}},"list":[[1,2],[3]]}"#
        )
        XCTAssertEqual(value.value(at: "data.object.id"), "pi_1")
        XCTAssertEqual(value.value(at: "data.object.items.1.id"), "b")
        XCTAssertEqual(value.value(at: "data.object.0"), "zero")  // an object key that looks like an index
        XCTAssertEqual(value.value(at: "list.0.1"), 2)
        XCTAssertEqual(value.value(at: "list.1"), [3])
        XCTAssertEqual(value.value(at: "data.object."), "empty")
        XCTAssertEqual(value.value(at: "data")?["object"]?["items"]?[0]?["id"], "a")
        for missing in [
            "data.object.missing", "data.object.items.2", "data.object.items.-1", "data.object.items.+1",
            "data.object.items. 1", "data.object.items.x", "data.object.id.x", "list.0.1.0", "data..object", "nope",
        ] {
            XCTAssertNil(value.value(at: missing), missing)
        }
        XCTAssertEqual(value.value(at: ""), nil)
        XCTAssertNil(JSONValue.string("x")["a"])
        XCTAssertNil(JSONValue.array([1])[1])
        XCTAssertNil(JSONValue.array([1])[-1])
    }

    func testAccessors() {
        let value: JSONValue = ["s": "x", "b": false, "n": nil, "a": [1], "o": ["k": 2], "i": 7]
        XCTAssertEqual(value["s"]?.stringValue, "x")
        XCTAssertEqual(value["b"]?.boolValue, false)
        XCTAssertEqual(value["n"]?.isNull, true)
        XCTAssertEqual(value["a"]?.arrayValue, [1])
        XCTAssertEqual(value["o"]?.objectValue, ["k": 2])
        XCTAssertEqual(value["i"]?.int64Value, 7)
        XCTAssertEqual(value["i"]?.numberLiteral, "7")
        XCTAssertNil(value["s"]?.boolValue)
        XCTAssertNil(value["s"]?.int64Value)
        XCTAssertNil(value["b"]?.stringValue)
        XCTAssertEqual(value["s"]?.isNull, false)
        XCTAssertEqual(value.description, value.jsonString)
    }
}
