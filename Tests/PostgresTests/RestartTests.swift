import Postgres
import TestSupport
import XCTest

/// Server restarts, on a private throwaway cluster so the shared one is never disturbed.
final class RestartTests: XCTestCase {
    private var server: TestPostgresServer!
    private var pools: [PostgresPool] = []

    override func setUp() async throws {
        try await super.setUp()
        server = try await TestPostgresServer.start()
    }

    override func tearDown() async throws {
        for pool in pools { await pool.shutdown() }
        pools = []
        await server?.destroy()
        server = nil
        try await super.tearDown()
    }

    private func makePool(poolSize: Int = 3) -> PostgresPool {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                url: server.superuserURL, poolSize: poolSize, connectTimeout: .seconds(2),
                acquireTimeout: .seconds(5), applicationName: "coffer-restart-test"),
            logger: TestEnvironment.logger())
        pools.append(pool)
        return pool
    }

    /// Opens `count` connections and leaves them idle in the pool.
    private func warm(_ pool: PostgresPool, connections count: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { _ = try await pool.query("SELECT pg_sleep(0.05)") }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(pool.statistics.open, count)
    }

    func testQueriesSucceedRightAfterARestart() async throws {
        let pool = makePool()
        try await warm(pool, connections: 3)
        try await server.restartServer()
        // Every idle connection is stale now; none of that may reach the caller.
        for attempt in 0..<20 {
            do {
                let rows = try await pool.query("SELECT \(attempt)::int")
                XCTAssertEqual(try rows.first?.decode(Int.self, at: 0), attempt)
            } catch {
                XCTFail("query \(attempt) after the restart failed: \(String(reflecting: error))")
            }
        }
        XCTAssertLessThanOrEqual(pool.statistics.open, 3)
    }

    func testHealthCheckWhileDownAndAfter() async throws {
        let pool = makePool()
        try await warm(pool, connections: 2)
        let up = await pool.healthCheck()
        XCTAssertTrue(up)
        try await server.stopServer()

        let started = ContinuousClock.now
        let whileDown = await pool.healthCheck(timeout: .seconds(2))
        XCTAssertFalse(whileDown)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1), "a refused connection is reported at once")
        do {
            _ = try await pool.query("SELECT 1")
            XCTFail("the server is down")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isConnectionError, String(reflecting: error))
        }
        let stillDown = await pool.healthCheck()
        XCTAssertFalse(stillDown)

        try await server.startServer()
        await eventually(timeout: .seconds(10), "healthy again after the server is back") {
            await pool.healthCheck()
        }
        // The same pool serves again: no new pool, no process restart.
        for attempt in 0..<10 {
            let rows = try await pool.query("SELECT \(attempt)::int")
            XCTAssertEqual(try rows.first?.decode(Int.self, at: 0), attempt)
        }
        let statistics = pool.statistics
        XCTAssertEqual(statistics.inUse, 0)
        XCTAssertLessThanOrEqual(statistics.open, 3)
    }

    func testStatementInFlightDuringRestartFailsAsAConnectionError() async throws {
        let pool = makePool()
        let running = Task { try await pool.query("SELECT pg_sleep(30)") }
        let admin = makePool(poolSize: 1)
        await eventually("the sleep is running") {
            (try? await scalar(
                admin, "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"))
                == 1
        }
        try await server.restartServer()
        do {
            _ = try await running.value
            XCTFail("the statement was cut off by the restart")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isConnectionError, String(reflecting: error))
        }
        let rows = try await pool.query("SELECT 1")
        XCTAssertEqual(rows.count, 1)
    }

    func testTransactionsWorkAfterARestart() async throws {
        let pool = makePool()
        try await pool.execute("CREATE TABLE t (n int)")
        try await warm(pool, connections: 3)
        try await server.restartServer()
        try await pool.transaction { connection in
            try await connection.execute("INSERT INTO t VALUES (1)")
        }
        let count = try await scalar(pool, "SELECT count(*) FROM t")
        XCTAssertEqual(count, 1)
    }

    func testListenerReconnectsAndListensAgain() async throws {
        let pool = makePool()
        let received = Collected<String>()
        let reconnects = Counter()
        let listener = try await pool.listen(channel: "events", onReconnect: { reconnects.increment() }) {
            received.append($0.payload)
        }
        defer { listener.cancel() }
        try await pool.notify(channel: "events", payload: "before")
        await eventually("delivery before the restart") { received.all == ["before"] }

        try await server.restartServer()
        await eventually(timeout: .seconds(15), "the listener reconnected") { reconnects.current >= 1 }
        try await pool.notify(channel: "events", payload: "after")
        await eventually("delivery after the restart") { received.all == ["before", "after"] }
        XCTAssertEqual(reconnects.current, 1)
    }
}
