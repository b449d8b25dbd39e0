import Foundation
import Postgres
import TestSupport
import XCTest

final class DecodingTests: PostgresTestCase {
    func testEveryTypeFromServerLiterals() async throws {
        let pool = makePool()
        let rows = try await pool.query(
            """
            SELECT 1::int2 AS small, 2::int4 AS medium, 9223372036854775807::int8 AS big, 'text'::text AS label,
                   true AS yes, false AS no, '2024-02-29 12:34:56.123456+00'::timestamptz AS at,
                   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, '\\xdeadbeef'::bytea AS bytes,
                   NULL::int8 AS nothing, ARRAY['a', 'b c', '"q"', 'x,y', 'NULL']::text[] AS names,
                   ARRAY[1, -2, 3]::int8[] AS numbers, '{"k": [1, 2]}'::jsonb AS document,
                   (SELECT sum(n) FROM (VALUES (5::bigint), (7::bigint)) v(n)) AS total,
                   '2024-03-01'::date AS day, '2024-03-01 10:00:00'::timestamp AS local_at, 'padded'::char(8) AS fixed
            """)
        let row = try XCTUnwrap(rows.first)
        XCTAssertEqual(try row.decode(Int16.self, column: "small"), 1)
        XCTAssertEqual(try row.decode(Int32.self, column: "medium"), 2)
        XCTAssertEqual(try row.decode(Int64.self, column: "big"), Int64.max)
        XCTAssertEqual(try row.decode(Int.self, column: "medium"), 2)
        XCTAssertEqual(try row.decode(String.self, column: "label"), "text")
        XCTAssertEqual(try row.decode(Bool.self, column: "yes"), true)
        XCTAssertEqual(try row.decode(Bool.self, column: "no"), false)
        let at = try row.decode(Date.self, column: "at")
        XCTAssertEqual(at.timeIntervalSince1970, 1_709_210_096.123456, accuracy: 0.000_001)
        XCTAssertEqual(
            try row.decode(UUID.self, column: "id"), UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
        XCTAssertEqual(try row.decode([UInt8].self, column: "bytes"), [0xDE, 0xAD, 0xBE, 0xEF])
        XCTAssertEqual(try row.decode(Int64?.self, column: "nothing"), nil)
        XCTAssertEqual(try row.decode(String?.self, column: "label"), "text")
        XCTAssertTrue(row.isNull(column: "nothing"))
        XCTAssertFalse(row.isNull(column: "label"))
        XCTAssertEqual(try row.decode([String].self, column: "names"), ["a", "b c", "\"q\"", "x,y", "NULL"])
        XCTAssertEqual(try row.decode([Int64].self, column: "numbers"), [1, -2, 3])
        XCTAssertEqual(try row.decode(PostgresJSON.self, column: "document").text, "{\"k\": [1, 2]}")
        XCTAssertEqual(try row.decode(Int64.self, column: "total"), 12)
        XCTAssertEqual(try row.decode(Date.self, column: "day").timeIntervalSince1970, 1_709_251_200)
        XCTAssertEqual(try row.decode(Date.self, column: "local_at").timeIntervalSince1970, 1_709_287_200)
        XCTAssertEqual(try row.decode(String.self, column: "fixed"), "padded  ")
    }

    func testBindsRoundTrip() async throws {
        let pool = makePool()
        try await pool.execute(
            """
            CREATE TABLE everything (
                small int2, medium int4, big int8, native int8, label text, flag bool, at timestamptz,
                id uuid, bytes bytea, maybe text, document jsonb
            )
            """)
        let at = Date(timeIntervalSince1970: 1_763_743_680.654321)
        let id = UUID()
        let bytes = (0...255).map(UInt8.init)
        let missing: String? = nil
        try await pool.execute(
            """
            INSERT INTO everything VALUES (
                \(Int16.min), \(Int32.max), \(Int64.min), \(Int.max), \("ünïcödé ☃ 'q' \\ \"d\""), \(true), \(at),
                \(id), \(bytes), \(missing), \(PostgresJSON("{\"amount\": 1050}"))::jsonb
            )
            """)
        let fetched = try await pool.query("SELECT * FROM everything")
        let row = try XCTUnwrap(fetched.first)
        let (small, medium, big, native, label, flag, storedAt, storedID, storedBytes, maybe, document) =
            try row.decode(
                (Int16, Int32, Int64, Int, String, Bool, Date, UUID, [UInt8], String?, PostgresJSON).self)
        XCTAssertEqual(small, Int16.min)
        XCTAssertEqual(medium, Int32.max)
        XCTAssertEqual(big, Int64.min)
        XCTAssertEqual(native, Int.max)
        XCTAssertEqual(label, "ünïcödé ☃ 'q' \\ \"d\"")
        XCTAssertTrue(flag)
        XCTAssertEqual(storedAt.timeIntervalSince1970, at.timeIntervalSince1970, accuracy: 0.000_001)
        XCTAssertEqual(storedID, id)
        XCTAssertEqual(storedBytes, bytes)
        XCTAssertNil(maybe)
        XCTAssertEqual(document.text, "{\"amount\": 1050}")
        // A decoded date encodes to the same microseconds it came from.
        let again = try await pool.query("SELECT at = \(storedAt) FROM everything")
        XCTAssertEqual(try again.first?.decode(Bool.self, at: 0), true)
    }

    func testEmptyStringIsNotNull() async throws {
        let pool = makePool()
        let fetched = try await pool.query("SELECT \("")::text AS empty, \(String?.none)::text AS null")
        let row = try XCTUnwrap(fetched.first)
        XCTAssertEqual(try row.decode(String?.self, column: "empty"), "")
        XCTAssertEqual(try row.decode(String?.self, column: "null"), nil)
    }

    func testDecodingErrorNamesColumnIndexAndBothTypes() async throws {
        let pool = makePool()
        let fetched = try await pool.query("SELECT 'x'::text AS name, 42::int8 AS amount, NULL::text AS note")
        let row = try XCTUnwrap(fetched.first)
        do {
            _ = try row.decode(Bool.self, column: "amount")
            XCTFail("expected a decoding error")
        } catch let error as PostgresDecodingError {
            XCTAssertEqual(error.reason, .typeMismatch)
            XCTAssertEqual(error.column, "amount")
            XCTAssertEqual(error.index, 1)
            XCTAssertEqual(error.postgresType, .int8)
            XCTAssertEqual(error.swiftType, "Bool")
            for fragment in ["amount", "index 1", "int8", "Bool"] {
                XCTAssertTrue(error.description.contains(fragment), "\(error.description) lacks \(fragment)")
            }
            XCTAssertFalse(error.description.contains("42"))
        }
        do {
            _ = try row.decode(String.self, column: "note")
            XCTFail("NULL into a non-optional must fail")
        } catch let error as PostgresDecodingError {
            XCTAssertEqual(error.reason, .unexpectedNull)
            XCTAssertEqual(error.column, "note")
            XCTAssertEqual(error.index, 2)
            XCTAssertEqual(error.postgresType, .text)
        }
        do {
            _ = try row.decode(Int64.self, column: "name")
            XCTFail("text into Int64 must fail")
        } catch let error as PostgresDecodingError {
            XCTAssertEqual(error.reason, .typeMismatch)
            XCTAssertEqual(error.swiftType, "Int64")
        }
        XCTAssertThrowsError(try row.decode(String.self, column: "missing")) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .missingColumn)
        }
        XCTAssertThrowsError(try row.decode(String.self, at: 3)) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .indexOutOfRange)
        }
        XCTAssertThrowsError(try row.decode((String, Int64).self)) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .columnCountMismatch(requested: 2, available: 3))
        }
    }

    func testIntegerDecodingIsExact() async throws {
        let pool = makePool()
        let fetched = try await pool.query(
            "SELECT 12.50::numeric AS fraction, 12.00::numeric AS whole, 70000::int4 AS wide")
        let row = try XCTUnwrap(fetched.first)
        XCTAssertEqual(try row.decode(Int64.self, column: "whole"), 12)
        XCTAssertThrowsError(try row.decode(Int64.self, column: "fraction")) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .invalidValue)
        }
        XCTAssertThrowsError(try row.decode(Int16.self, column: "wide")) { error in
            XCTAssertEqual((error as? PostgresDecodingError)?.reason, .invalidValue)
        }
    }

    func testRowsAreACollection() async throws {
        let pool = makePool()
        let rows = try await pool.query("SELECT n, n * 2 AS double FROM generate_series(1, 3) n")
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows.columns, ["n", "double"])
        XCTAssertEqual(rows.columnTypes, [.int4, .int4])
        XCTAssertEqual(try rows.map { try $0.decode(Int.self, column: "double") }, [2, 4, 6])
        XCTAssertEqual(try rows[2].decode(Int.self, at: 0), 3)
        let empty = try await pool.query("SELECT 1 WHERE false")
        XCTAssertNil(empty.first)
    }

    func testDateTextParsesPostgresForms() async throws {
        let pool = makePool()
        let rows = try await pool.query(
            """
            SELECT '2024-01-02 03:04:05+05:30'::timestamptz::text AS offset_text,
                   'infinity'::timestamptz AS forever, '0044-03-15 12:00:00+00 BC'::timestamptz AS ides,
                   '12000-01-01 00:00:00+00'::timestamptz AS far
            """)
        let row = try XCTUnwrap(rows.first)
        XCTAssertEqual(try row.decode(String.self, column: "offset_text"), "2024-01-01 21:34:05+00")
        XCTAssertEqual(try row.decode(Date.self, column: "forever"), .distantFuture)
        let ides = try row.decode(Date.self, column: "ides")
        let echoed = try await pool.query("SELECT \(ides)::timestamptz = '0044-03-15 12:00:00+00 BC'::timestamptz")
        XCTAssertEqual(try echoed.first?.decode(Bool.self, at: 0), true)
        let far = try row.decode(Date.self, column: "far")
        let farEchoed = try await pool.query("SELECT \(far)::timestamptz = '12000-01-01 00:00:00+00'::timestamptz")
        XCTAssertEqual(try farEchoed.first?.decode(Bool.self, at: 0), true)
    }
}
