import Postgres
import TestSupport
import XCTest

final class PipelineTests: PostgresTestCase {
    func testRunsStatementsInOneBatch() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE inbox (id text PRIMARY KEY, body text NOT NULL)")
        let results = try await pool.pipeline([
            "INSERT INTO inbox VALUES (\("evt_1"), \("a"))",
            "INSERT INTO inbox VALUES (\("evt_2"), \("b")), (\("evt_3"), \("c"))",
            "SELECT id FROM inbox ORDER BY id",
        ])
        XCTAssertEqual(results.count, 3)
        XCTAssertEqual(results[0].affectedRows, 1)
        XCTAssertEqual(results[1].affectedRows, 2)
        XCTAssertEqual(try results[2].map { try $0.decode(String.self, at: 0) }, ["evt_1", "evt_2", "evt_3"])
    }

    func testAFailureRollsBackTheWholeBatchAndKeepsTheConnection() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE inbox (id text PRIMARY KEY)")
        try await pool.execute("INSERT INTO inbox VALUES ('evt_0')")
        do {
            _ = try await pool.pipeline([
                "INSERT INTO inbox VALUES ('evt_1')",
                "INSERT INTO inbox VALUES ('evt_0')",
                "INSERT INTO inbox VALUES ('evt_2')",
            ])
            XCTFail("expected the unique violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isUniqueViolation)
        }
        let count = try await scalar(pool, "SELECT count(*) FROM inbox")
        XCTAssertEqual(count, 1, "the statement before the failure was rolled back too")
        XCTAssertEqual(pool.statistics.open, 1, "the same connection is still in service")
        let results = try await pool.pipeline(["SELECT 1", "SELECT 2"])
        XCTAssertEqual(try results.map { try $0.first?.decode(Int.self, at: 0) }, [1, 2])
    }

    func testLargeBatchDoesNotDeadlock() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE inbox (id int PRIMARY KEY, body text NOT NULL)")
        let body = String(repeating: "x", count: 500)
        let queries: [PostgresQuery] = (0..<5_000).map {
            "INSERT INTO inbox VALUES (\($0), \(body)) RETURNING id, body"
        }
        let results = try await pool.pipeline(queries)
        XCTAssertEqual(results.count, 5_000)
        XCTAssertEqual(try results[4_999].first?.decode(Int.self, column: "id"), 4_999)
        let count = try await scalar(pool, "SELECT count(*) FROM inbox")
        XCTAssertEqual(count, 5_000)
    }

    func testInsideATransaction() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE t (n int)")
        struct Abort: Error {}
        do {
            try await pool.transaction { connection in
                _ = try await connection.pipeline(["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)"])
                throw Abort()
            }
        } catch is Abort {}
        let afterAbort = try await scalar(pool, "SELECT count(*) FROM t")
        XCTAssertEqual(afterAbort, 0)
        try await pool.transaction { connection in
            _ = try await connection.pipeline(["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)"])
        }
        let afterCommit = try await scalar(pool, "SELECT count(*) FROM t")
        XCTAssertEqual(afterCommit, 2)
    }

    func testNulByteIsRefusedBeforeAnythingIsSent() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE t (s text)")
        await XCTAssertThrowsErrorAsync(
            try await pool.pipeline(["INSERT INTO t VALUES ('ok')", "INSERT INTO t VALUES (\("bad\u{0}"))"]))
        let count = try await scalar(pool, "SELECT count(*) FROM t")
        XCTAssertEqual(count, 0)
        XCTAssertEqual(pool.statistics.open, 1)
    }
}
