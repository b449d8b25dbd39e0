import Postgres
import TestSupport
import XCTest

final class PoolTests: PostgresTestCase {
    func testHundredConcurrentTasksShareTheConfiguredConnections() async throws {
        let applicationName = "coffer-pool-\(UInt32.random(in: 0...UInt32.max))"
        let pool = makePool(poolSize: 5, applicationName: applicationName, acquireTimeout: .seconds(30))
        let observer = makePool(.admin, poolSize: 1, applicationName: "coffer-pool-observer")
        let running = Counter()
        let peakBackends = Counter()
        let observing = Task {
            var peak = 0
            while !Task.isCancelled {
                let rows = try await observer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = \(applicationName)")
                let backends = try rows.first?.decode(Int.self, at: 0) ?? 0
                while peakBackends.current < backends { peakBackends.increment() }
                peak = max(peak, pool.statistics.open)
                XCTAssertLessThanOrEqual(pool.statistics.open, 5)
                try? await Task.sleep(for: .milliseconds(5))
            }
            return peak
        }
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask {
                    running.increment()
                    let rows = try await pool.query("SELECT \(index)::int AS n, pg_sleep(0.01)")
                    return try rows.first?.decode(Int.self, column: "n") ?? -1
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        observing.cancel()
        let peakOpen = try await observing.value
        XCTAssertEqual(results.sorted(), Array(0..<100))
        XCTAssertEqual(running.current, 100)
        XCTAssertLessThanOrEqual(peakBackends.current, 5)
        XCTAssertGreaterThanOrEqual(peakBackends.current, 2, "work should have spread over several connections")
        XCTAssertLessThanOrEqual(peakOpen, 5)
        let statistics = pool.statistics
        XCTAssertEqual(statistics.size, 5)
        XCTAssertEqual(statistics.inUse, 0)
        XCTAssertEqual(statistics.waiters, 0)
        XCTAssertEqual(statistics.idle, statistics.open)
        XCTAssertLessThanOrEqual(statistics.open, 5)
    }

    func testAcquireTimesOutWhenExhausted() async throws {
        let pool = makePool(poolSize: 1, acquireTimeout: .milliseconds(200))
        let holding = Gate()
        let release = Gate()
        let holder = Task {
            try await pool.withConnection { connection in
                _ = try await connection.query("SELECT 1")
                await holding.open()
                await release.wait()
            }
        }
        await holding.wait()
        let started = ContinuousClock.now
        do {
            _ = try await pool.query("SELECT 1")
            XCTFail("expected a pool timeout")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .poolTimeout)
            XCTAssertFalse(error.isConnectionError)
        }
        let waited = ContinuousClock.now - started
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(190))
        XCTAssertLessThan(waited, .seconds(3))
        XCTAssertEqual(pool.statistics.waiters, 0)
        await release.open()
        try await holder.value
        // Once freed, the connection serves the next caller.
        let rows = try await pool.query("SELECT 1")
        XCTAssertEqual(rows.count, 1)
    }

    func testWaitersAreServedFirstInFirstOut() async throws {
        let pool = makePool(poolSize: 1, acquireTimeout: .seconds(10))
        let order = Collected<Int>()
        let holding = Gate()
        let release = Gate()
        let holder = Task {
            try await pool.withConnection { _ in
                await holding.open()
                await release.wait()
            }
        }
        await holding.wait()
        var waiters: [Task<Void, any Error>] = []
        for index in 0..<5 {
            waiters.append(
                Task {
                    try await pool.withConnection { _ in order.append(index) }
                })
            // Let each waiter enqueue before the next one.
            try await eventuallyWaiters(pool, index + 1)
        }
        await release.open()
        try await holder.value
        for waiter in waiters { try await waiter.value }
        XCTAssertEqual(order.all, [0, 1, 2, 3, 4])
    }

    private func eventuallyWaiters(_ pool: PostgresPool, _ count: Int) async throws {
        await eventually("\(count) waiters") { pool.statistics.waiters == count }
    }

    func testBodyLeavingATransactionOpenIsRolledBack() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE t (n int)")
        try await pool.withConnection { connection in
            try await connection.execute("BEGIN")
            try await connection.execute("INSERT INTO t VALUES (1)")
        }
        let count = try await scalar(pool, "SELECT count(*) FROM t")
        XCTAssertEqual(count, 0)
        // VACUUM refuses to run inside a transaction block: this proves none was left open.
        try await pool.execute("VACUUM t")
        XCTAssertEqual(pool.statistics.open, 1)
    }

    func testTerminatedConnectionIsReplacedWithoutFailingTheNextQuery() async throws {
        let applicationName = "coffer-terminate-\(UInt32.random(in: 0...UInt32.max))"
        let pool = makePool(poolSize: 2, applicationName: applicationName)
        let admin = makePool(.admin, poolSize: 1, applicationName: "coffer-terminator")
        // Open two connections, both idle afterwards.
        async let first = pool.query("SELECT pg_sleep(0.05)")
        async let second = pool.query("SELECT pg_sleep(0.05)")
        _ = try await (first, second)
        XCTAssertEqual(pool.statistics.open, 2)
        let killed = try await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(applicationName)")
        XCTAssertEqual(killed.count, 2)
        try await Task.sleep(for: .milliseconds(100))
        for _ in 0..<5 {
            let rows = try await pool.query("SELECT 1")
            XCTAssertEqual(rows.count, 1)
        }
    }

    func testCancelledWaiterLeavesTheQueue() async throws {
        let pool = makePool(poolSize: 1, acquireTimeout: .seconds(30))
        let holding = Gate()
        let release = Gate()
        let holder = Task {
            try await pool.withConnection { _ in
                await holding.open()
                await release.wait()
            }
        }
        await holding.wait()
        let waiter = Task { try await pool.query("SELECT 1") }
        await eventually("waiter queued") { pool.statistics.waiters == 1 }
        waiter.cancel()
        await eventually("waiter gone") { pool.statistics.waiters == 0 }
        await XCTAssertThrowsErrorAsync(try await waiter.value)
        await release.open()
        try await holder.value
        let rows = try await pool.query("SELECT 1")
        XCTAssertEqual(rows.count, 1)
    }

    func testShutdownRefusesNewWork() async throws {
        let pool = makePool()
        _ = try await pool.query("SELECT 1")
        await pool.shutdown()
        XCTAssertEqual(pool.statistics.open, 0)
        do {
            _ = try await pool.query("SELECT 1")
            XCTFail("expected poolClosed")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .poolClosed)
        }
        let healthy = await pool.healthCheck()
        XCTAssertFalse(healthy)
    }

    func testActorCallerCanUseItsStateInBodies() async throws {
        let pool = makePool()
        let ledger = Ledger(pool: pool)
        try await ledger.record(5)
        try await ledger.record(7)
        let total = await ledger.total
        XCTAssertEqual(total, 12)
    }
}

/// An actor whose transaction bodies read and write its own state, as services will.
private actor Ledger {
    let pool: PostgresPool
    var total: Int64 = 0

    init(pool: PostgresPool) { self.pool = pool }

    func record(_ amount: Int64) async throws {
        total = try await pool.transaction { connection in
            let rows = try await connection.query("SELECT \(total)::int8 + \(amount)::int8")
            return try rows.first?.decode(Int64.self, at: 0) ?? 0
        }
    }
}

final class PoolStressTests: PostgresTestCase {
    /// Many callers racing with timeouts and cancellations: afterwards the books balance and the pool
    /// still works.
    func testBookkeepingSurvivesTimeoutsAndCancellations() async throws {
        let pool = makePool(poolSize: 3, acquireTimeout: .milliseconds(40))
        let outcomes = Collected<String>()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<300 {
                let task = Task {
                    do {
                        try await pool.withConnection { connection in
                            _ = try await connection.query("SELECT pg_sleep(0.002)")
                            if index % 7 == 0 { try await connection.execute("BEGIN") }
                        }
                        outcomes.append("ok")
                    } catch let error as PostgresError where error.kind == .poolTimeout {
                        outcomes.append("timeout")
                    } catch {
                        outcomes.append("other: \(error)")
                    }
                }
                if index % 5 == 0 { task.cancel() }
                group.addTask { await task.value }
            }
        }
        XCTAssertEqual(outcomes.all.count, 300)
        XCTAssertEqual(outcomes.all.filter { $0.hasPrefix("other") }, [])
        XCTAssertGreaterThan(outcomes.all.filter { $0 == "ok" }.count, 0)
        let statistics = pool.statistics
        XCTAssertEqual(statistics.inUse, 0)
        XCTAssertEqual(statistics.waiters, 0)
        XCTAssertEqual(statistics.idle, statistics.open)
        XCTAssertLessThanOrEqual(statistics.open, 3)
        let rows = try await pool.query("SELECT 1")
        XCTAssertEqual(rows.count, 1)
    }
}
