import Foundation
import XCTest

@testable import Shared

final class JSONCodingTests: XCTestCase {
    private struct Envelope: Codable, Equatable {
        var id: String
        var tenantID: String
        var occurredAt: Date
        var correlationID: String
        var amount: Money
        var data: JSONValue
    }

    private let sample = Envelope(
        id: "evt_1", tenantID: "ten_1", occurredAt: Date(timeIntervalSince1970: 1_763_743_680),
        correlationID: "c/1", amount: Money(minorUnits: 1050, currency: .usd),
        data: [
            "order_id": "6735", "payerMessage": "hi", "USD": .int(9_007_199_254_740_993), "nested": ["camelCase": [1]],
        ])

    func testEncoderWritesSnakeCaseKeysAndRFC3339() throws {
        let bytes = try JSONCoding.makeEncoder().encode(sample)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertFalse(text.contains(#"\/"#), "slashes are not escaped")
        XCTAssertFalse(text.contains("\n"))
        let json = try JSONValue.parse(bytes)
        XCTAssertEqual(json["tenant_id"], "ten_1")
        XCTAssertEqual(json["occurred_at"], "2025-11-21T16:48:00Z")
        XCTAssertEqual(json["correlation_id"], "c/1")
        XCTAssertEqual(json["amount"], ["amount": 1050, "currency": "USD"])
        // Keys inside a JSONValue are data, not property names: no case conversion.
        XCTAssertEqual(json["data"], sample.data)
    }

    func testDateEncodingPrecision() throws {
        struct Stamp: Codable { var at: Date }
        func encoded(_ seconds: TimeInterval) throws -> String? {
            let bytes = try JSONCoding.makeEncoder().encode(Stamp(at: Date(timeIntervalSince1970: seconds)))
            let json = try JSONValue.parse(bytes)
            return json["at"]?.stringValue
        }
        XCTAssertEqual(try encoded(1_763_743_680), "2025-11-21T16:48:00Z")
        XCTAssertEqual(try encoded(1_763_743_680.123), "2025-11-21T16:48:00.123Z")
        XCTAssertEqual(try encoded(1_763_743_680.5), "2025-11-21T16:48:00.500Z")
        XCTAssertEqual(try encoded(0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(try encoded(-0.25), "1969-12-31T23:59:59.750Z")
        XCTAssertThrowsError(try JSONCoding.makeEncoder().encode(Stamp(at: Date(timeIntervalSince1970: 1e15))))
        XCTAssertThrowsError(try JSONCoding.makeEncoder().encode(Stamp(at: Date(timeIntervalSince1970: .nan))))
        // Every millisecond value parsed from text comes back as the same text.
        let decoder = JSONCoding.makeDecoder()
        for millis in stride(from: 1_763_743_680_000 as Int64, to: 1_763_743_681_000, by: 1) {
            let text = Timestamp.format(unixMilliseconds: millis, fractional: millis % 1000 != 0)
            let stamp = try decoder.decode(Stamp.self, from: Data(#"{"at":"\#(text)"}"#.utf8))
            XCTAssertEqual(try encoded(stamp.at.timeIntervalSince1970), text)
        }
    }

    func testDecoderReadsSnakeCaseAndRFC3339Variants() throws {
        let decoder = JSONCoding.makeDecoder()
        let round = try decoder.decode(Envelope.self, from: JSONCoding.makeEncoder().encode(sample))
        XCTAssertEqual(round, sample)

        struct Stamp: Codable { var createdAt: Date }
        let expected = Date(timeIntervalSince1970: 1_763_743_680)
        for text in [
            "2025-11-21T16:48:00Z", "2025-11-21T16:48:00.000Z", "2025-11-21T16:48:00.000000000Z",
            "2025-11-21T18:48:00+02:00", "2025-11-21T11:18:00.0-05:30", "2025-11-21t16:48:00z",
        ] {
            let stamp = try decoder.decode(Stamp.self, from: Data(#"{"created_at":"\#(text)"}"#.utf8))
            XCTAssertEqual(stamp.createdAt, expected, text)
        }
        let fraction = try decoder.decode(Stamp.self, from: Data(#"{"created_at":"2025-11-21T16:48:00.25Z"}"#.utf8))
        XCTAssertEqual(fraction.createdAt.timeIntervalSince1970, 1_763_743_680.25)
        for bad in ["2025-11-21", "2025-11-21T16:48:00", "yesterday", "1763743680", "2025-13-01T00:00:00Z"] {
            XCTAssertThrowsError(try decoder.decode(Stamp.self, from: Data(#"{"created_at":"\#(bad)"}"#.utf8)), bad)
        }
        XCTAssertThrowsError(try decoder.decode(Stamp.self, from: Data(#"{"created_at":1763743680}"#.utf8)))
    }

    func testAcronymPropertyNamesRoundTrip() throws {
        // Foundation's .convertFromSnakeCase would read `request_id` as `requestId`; Coffer's decoder
        // maps the acronyms back, so Swift-style names work in both directions.
        struct Acronym: Codable, Equatable {
            var requestID: String; var webhookURL: String; var payeeIDs: [String]; var clientIP: String
        }
        let value = Acronym(requestID: "req_1", webhookURL: "https://x", payeeIDs: ["pe_1"], clientIP: "10.0.0.1")
        let bytes = try JSONCoding.makeEncoder().encode(value)
        XCTAssertEqual(
            try JSONValue.parse(bytes),
            try JSONValue.parse(
                #"{"request_id":"req_1","webhook_url":"https://x","payee_ids":["pe_1"],"client_ip":"10.0.0.1"}"#))
        XCTAssertEqual(try JSONCoding.makeDecoder().decode(Acronym.self, from: bytes), value)
        XCTAssertEqual(JSONCoding.camelCase(fromSnakeCase: "created_at"), "createdAt")
        XCTAssertEqual(JSONCoding.camelCase(fromSnakeCase: "idempotency_key"), "idempotencyKey")
        XCTAssertEqual(JSONCoding.camelCase(fromSnakeCase: "amount"), "amount")
        for (camel, snake) in [
            ("payeeIDs", "payee_ids"), ("URLPath", "url_path"), ("createdAt", "created_at"),
            ("isHTTPS", "is_https"), ("amount", "amount"), ("line2Text", "line2_text"),
        ] {
            XCTAssertEqual(JSONCoding.snakeCase(fromCamelCase: camel), snake)
        }
    }

    func testJSONValueThroughFoundationCoders() throws {
        let text =
            #"{"int":9007199254740993,"big":18446744073709551615,"neg":-9223372036854775808,"frac":10.50,"#
            + #""tiny":1e-7,"s":"a\"b","t":true,"n":null,"arr":[1,[2],{}],"obj":{"snake_key":{"inner_key":1}}}"#
        let decoded = try JSONCoding.makeDecoder().decode(JSONValue.self, from: Data(text.utf8))
        XCTAssertEqual(decoded["int"], .number("9007199254740993"))
        XCTAssertEqual(decoded["big"], .number("18446744073709551615"))
        XCTAssertEqual(decoded["neg"]?.int64Value, Int64.min)
        XCTAssertEqual(decoded["frac"], .number("10.5"))  // the value survives, the spelling need not
        XCTAssertEqual(decoded["tiny"], .number("0.0000001"))
        XCTAssertEqual(decoded["s"], "a\"b")
        XCTAssertEqual(decoded["t"], true)
        XCTAssertEqual(decoded["n"], .null)
        XCTAssertEqual(decoded["arr"], [1, [2], [:]])
        XCTAssertEqual(decoded.value(at: "obj.snake_key.inner_key"), 1)

        let encoded = try JSONValue.parse(JSONCoding.makeEncoder().encode(decoded))
        XCTAssertEqual(encoded, decoded)
        let exact = try JSONValue.parse(text)
        XCTAssertEqual(try JSONValue.parse(JSONEncoder().encode(exact))["frac"], .number("10.5"))
        XCTAssertEqual(try JSONValue.parse(JSONEncoder().encode(exact))["int"], .number("9007199254740993"))
        XCTAssertThrowsError(try JSONEncoder().encode(JSONValue.number("NaN")))
        XCTAssertThrowsError(try JSONEncoder().encode(JSONValue.number("1e400")))
    }

    func testDecodingRejectsWhatTheTypesRefuse() {
        let decoder = JSONCoding.makeDecoder()
        XCTAssertThrowsError(try decoder.decode(Money.self, from: Data(#"{"amount":1,"currency":"ABC"}"#.utf8)))
        XCTAssertThrowsError(try decoder.decode(Money.self, from: Data(#"{"amount":"1","currency":"USD"}"#.utf8)))
    }
}
