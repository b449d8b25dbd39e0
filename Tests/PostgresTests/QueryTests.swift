import Postgres
import TestSupport
import XCTest

final class QueryTests: PostgresTestCase {
    func testInterpolationBindsValuesNotSQL() throws {
        let id = "abc"
        let amount: Int64 = 42
        let note: String? = nil
        let query: PostgresQuery =
            "SELECT * FROM t WHERE id = \(id) AND amount > \(amount) AND note IS NOT DISTINCT FROM \(note)"
        XCTAssertEqual(query.sql, "SELECT * FROM t WHERE id = $1 AND amount > $2 AND note IS NOT DISTINCT FROM $3")
        XCTAssertEqual(query.binds, ["abc", "42", nil])
        // The description shows SQL, never values.
        XCTAssertFalse(query.description.contains("abc"))
    }

    func testHostileStringsAreStoredAsValues() async throws {
        let pool = makePool()
        try await pool.execute("CREATE TABLE x (id serial PRIMARY KEY, note text NOT NULL)")
        let hostile = [
            "'; DROP TABLE x; --", "\"; DROP TABLE x; --", "$1", "\\", "back\\slash 'quote' \"double\"",
            "line\nbreak\ttab", "emoji 🧾 ünïcödé", "",
        ]
        for value in hostile {
            try await pool.execute("INSERT INTO x (note) VALUES (\(value))")
        }
        let rows = try await pool.query("SELECT note FROM x ORDER BY id")
        XCTAssertEqual(try rows.map { try $0.decode(String.self, column: "note") }, hostile)
        let matched = try await pool.query("SELECT count(*) FROM x WHERE note = \(hostile[0])")
        XCTAssertEqual(try matched.first?.decode(Int64.self, at: 0), 1)
    }

    func testUnsafeSQLAndIdentifiers() async throws {
        let pool = makePool()
        try await pool.execute("CREATE SCHEMA \(identifier: "Weird \"Schema\"")")
        try await pool.execute("CREATE TABLE \(identifier: "Weird \"Schema\"").items (n int)")
        let table = "\"Weird \"\"Schema\"\"\".items"
        try await pool.execute("INSERT INTO \(unsafeSQL: table) (n) VALUES (\(7))")
        let rows = try await pool.query(PostgresQuery(unsafeSQL: "SELECT n FROM \(table) WHERE n = $1", binds: ["7"]))
        XCTAssertEqual(try rows.first?.decode(Int.self, at: 0), 7)
    }

    func testArrayBindsForAny() async throws {
        let pool = makePool()
        try await pool.execute("CREATE TABLE ids (id text, n bigint)")
        try await pool.execute("INSERT INTO ids VALUES ('a', 1), ('b,c', 2), ('d\"e', 3), ('NULL', 4), ('z', 5)")
        let names = try await pool.query(
            "SELECT n FROM ids WHERE id = ANY(\(array: ["a", "b,c", "d\"e", "NULL"])) ORDER BY n")
        XCTAssertEqual(try names.map { try $0.decode(Int64.self, at: 0) }, [1, 2, 3, 4])
        let numbers = try await pool.query("SELECT id FROM ids WHERE n = ANY(\(array: [Int64(2), 5])) ORDER BY n")
        XCTAssertEqual(try numbers.map { try $0.decode(String.self, at: 0) }, ["b,c", "z"])
        let none = try await pool.query("SELECT id FROM ids WHERE n = ANY(\(array: [Int64]()))")
        XCTAssertTrue(none.isEmpty)
    }

    func testAffectedRowsAndCommandTag() async throws {
        let pool = makePool()
        try await pool.execute("CREATE TABLE c (n int)")
        let inserted = try await pool.execute("INSERT INTO c SELECT generate_series(1, 5)")
        XCTAssertEqual(inserted, 5)
        let updated = try await pool.execute("UPDATE c SET n = n + 1 WHERE n > \(3)")
        XCTAssertEqual(updated, 2)
        let rows = try await pool.query("DELETE FROM c WHERE n <= 2 RETURNING n")
        XCTAssertEqual(rows.affectedRows, 2)
        XCTAssertEqual(try rows.map { try $0.decode(Int.self, at: 0) }.sorted(), [1, 2])
        XCTAssertEqual(rows.commandTag, "DELETE 2")
    }

    func testUniqueViolationCarriesSQLStateAndConstraint() async throws {
        let pool = makePool()
        try await pool.execute("CREATE TABLE accounts (email text CONSTRAINT accounts_email_key UNIQUE)")
        try await pool.execute("INSERT INTO accounts VALUES (\("someone@example.com"))")
        do {
            try await pool.execute("INSERT INTO accounts VALUES (\("someone@example.com"))")
            XCTFail("expected a unique violation")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .query)
            XCTAssertEqual(error.sqlState, "23505")
            XCTAssertTrue(error.isUniqueViolation)
            XCTAssertFalse(error.isConnectionError)
            XCTAssertEqual(error.constraint, "accounts_email_key")
            XCTAssertEqual(error.table, "accounts")
            // Values stay out of the description (it reaches logs); the debug form has the detail.
            XCTAssertFalse(error.description.contains("someone@example.com"))
            XCTAssertTrue(error.description.contains("23505"))
            XCTAssertTrue(error.debugDescription.contains("someone@example.com"))
        }
    }

    func testConnectionStaysUsableAfterErrors() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE u (id int PRIMARY KEY)")
        try await pool.withConnection { connection in
            try await connection.execute("INSERT INTO u VALUES (1)")
            await XCTAssertThrowsErrorAsync(try await connection.execute("INSERT INTO u VALUES (1)"))
            await XCTAssertThrowsErrorAsync(try await connection.execute("SELECT * FROM no_such_table"))
            await XCTAssertThrowsErrorAsync(try await connection.execute("SELEC nonsense"))
            try await connection.execute("INSERT INTO u VALUES (2)")
        }
        let count = try await pool.query("SELECT count(*) FROM u")
        XCTAssertEqual(try count.first?.decode(Int.self, at: 0), 2)
        XCTAssertEqual(pool.statistics.open, 1)
    }

    func testNulBytesAreRefusedNotTruncated() async throws {
        let pool = makePool(poolSize: 1)
        do {
            _ = try await pool.query("SELECT \("before\u{0}after")::text")
            XCTFail("expected an error")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "22021")
        }
        let rows = try await pool.query("SELECT 1")
        XCTAssertEqual(rows.count, 1)
    }

    func testStatementTimeoutIsATimeout() async throws {
        var configuration = PostgresConfiguration(url: database.ownerURL, poolSize: 1)
        configuration.statementTimeout = .milliseconds(50)
        let pool = makePool(configuration: configuration)
        do {
            _ = try await pool.query("SELECT pg_sleep(2)")
            XCTFail("expected a timeout")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .timeout)
            XCTAssertEqual(error.sqlState, "57014")
        }
        let rows = try await pool.query("SELECT current_setting('statement_timeout')")
        XCTAssertEqual(try rows.first?.decode(String.self, at: 0), "50ms")
    }

    func testSessionSettings() async throws {
        let pool = makePool(applicationName: "coffer-settings-test")
        let rows = try await pool.query(
            "SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('application_name')")
        let row = try XCTUnwrap(rows.first)
        let (zone, style, name) = try row.decode((String, String, String).self)
        XCTAssertEqual(zone, "UTC")
        XCTAssertTrue(style.hasPrefix("ISO"))
        XCTAssertEqual(name, "coffer-settings-test")
    }

    func testScriptRunsSeveralStatements() async throws {
        let pool = makePool()
        try await pool.withConnection { connection in
            try await connection.executeScript(unsafeSQL: "CREATE TABLE s (n int); INSERT INTO s VALUES (1), (2);")
        }
        let rows = try await pool.query("SELECT sum(n) FROM s")
        XCTAssertEqual(try rows.first?.decode(Int64.self, at: 0), 3)
    }

    func testConnectionCannotBeUsedAfterItsScope() async throws {
        let pool = makePool()
        let escaped = try await pool.withConnection { $0 }
        do {
            _ = try await escaped.query("SELECT 1")
            XCTFail("expected misuse to be refused")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .query)
        }
    }

    func testBadCredentialsFailToConnect() async throws {
        let url = try XCTUnwrap(PostgresURL.replacingDatabase(in: database.ownerURL, with: "no_such_database_here"))
        let pool = makePool(configuration: PostgresConfiguration(url: url, poolSize: 1))
        do {
            _ = try await pool.query("SELECT 1")
            XCTFail("expected a connection failure")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .connectionFailed)
            XCTAssertTrue(error.isConnectionError)
        }
        XCTAssertEqual(pool.statistics.open, 0)
    }
}

func XCTAssertThrowsErrorAsync<T>(
    _ expression: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line
) async {
    do {
        _ = try await expression()
        XCTFail("expected an error", file: file, line: line)
    } catch {}
}
