import Postgres
import XCTest

final class PostgresURLTests: XCTestCase {
    func testRedactsThePassword() {
        XCTAssertEqual(
            PostgresURL.redactingPassword("postgresql://coffer:s3cr%40t@db.internal:5432/coffer?sslmode=require"),
            "postgresql://coffer:***@db.internal:5432/coffer?sslmode=require")
        XCTAssertEqual(
            PostgresURL.redactingPassword("postgres://u@h/d?password=hunter2&application_name=x"),
            "postgres://u@h/d?password=***&application_name=x")
        XCTAssertEqual(
            PostgresURL.redactingPassword("host=h user=u password=hunter2 dbname=d"),
            "host=h user=u password=*** dbname=d")
        XCTAssertEqual(PostgresURL.redactingPassword("postgresql://h/d"), "postgresql://h/d")
        let configuration = PostgresConfiguration(url: "postgresql://a:topsecret@h:1/d")
        XCTAssertFalse(configuration.redactedURL.contains("topsecret"))
    }

    func testReplacesTheDatabase() {
        XCTAssertEqual(
            PostgresURL.replacingDatabase(
                in: "postgresql://u:p@127.0.0.1:5432/coffer?sslmode=disable", with: "coffer_test_1"),
            "postgresql://u:p@127.0.0.1:5432/coffer_test_1?sslmode=disable")
        XCTAssertEqual(
            PostgresURL.replacingDatabase(in: "postgresql://u:p@127.0.0.1:5432", with: "other"),
            "postgresql://u:p@127.0.0.1:5432/other")
        XCTAssertNil(PostgresURL.replacingDatabase(in: "host=h dbname=d", with: "x"))
        XCTAssertEqual(PostgresURL.database(in: "postgresql://u:p@h/my%20db"), "my db")
        XCTAssertEqual(PostgresURL.user(in: "postgresql://coffer_app:p@h/d"), "coffer_app")
    }

    func testIdentifierQuoting() {
        XCTAssertEqual(PostgresQuery.quoteIdentifier("payments"), "\"payments\"")
        XCTAssertEqual(PostgresQuery.quoteIdentifier("a\"b"), "\"a\"\"b\"")
        let query: PostgresQuery = "SELECT * FROM \(identifier: "x\"; DROP TABLE y; --")"
        XCTAssertEqual(query.sql, "SELECT * FROM \"x\"\"; DROP TABLE y; --\"")
        XCTAssertEqual(query.binds, [])
    }

    func testEncodings() {
        XCTAssertEqual(true.postgresText, "t")
        XCTAssertEqual([UInt8]([0, 15, 255]).postgresText, "\\x000fff")
        XCTAssertEqual(Date(timeIntervalSince1970: 0).postgresText, "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(Date(timeIntervalSince1970: 1_763_743_680.5).postgresText, "2025-11-21T16:48:00.500000Z")
        XCTAssertEqual(Date(timeIntervalSince1970: -0.25).postgresText, "1969-12-31T23:59:59.750000Z")
        XCTAssertEqual(Optional<Int>.none.postgresText, nil)
        let query: PostgresQuery = "\(array: ["a", "b\"c", "d\\e"]) \(array: [Int64(1), -2])"
        XCTAssertEqual(query.binds, ["{\"a\",\"b\\\"c\",\"d\\\\e\"}", "{1,-2}"])
    }
}
