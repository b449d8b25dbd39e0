import Postgres
import TestSupport
import XCTest

final class TransactionTests: PostgresTestCase {
    struct Abort: Error {}

    func testCommitsOnSuccess() async throws {
        let pool = makePool()
        try await pool.execute("CREATE TABLE t (n int)")
        let value = try await pool.transaction { connection in
            try await connection.execute("INSERT INTO t VALUES (1), (2)")
            return "done"
        }
        XCTAssertEqual(value, "done")
        let count = try await scalar(pool, "SELECT count(*) FROM t")
        XCTAssertEqual(count, 2)
    }

    func testRollsBackWhenTheBodyThrows() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE t (n int)")
        do {
            try await pool.transaction { connection in
                try await connection.execute("INSERT INTO t VALUES (1)")
                throw Abort()
            }
            XCTFail("expected the body's error")
        } catch is Abort {}
        let value = try await scalar(pool, "SELECT count(*) FROM t")
        XCTAssertEqual(value, 0)
        XCTAssertEqual(pool.statistics.open, 1)
    }

    func testSwallowedStatementErrorStillFailsTheTransaction() async throws {
        let pool = makePool(poolSize: 1)
        try await pool.execute("CREATE TABLE t (n int PRIMARY KEY)")
        try await pool.execute("INSERT INTO t VALUES (1)")
        do {
            try await pool.transaction { connection in
                try await connection.execute("INSERT INTO t VALUES (2)")
                _ = try? await connection.execute("INSERT INTO t VALUES (1)")
            }
            XCTFail("expected the unique violation")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isUniqueViolation)
        }
        let value = try await scalar(pool, "SELECT count(*) FROM t")
        XCTAssertEqual(value, 1)
    }

    func testRetriesARealSerializationFailure() async throws {
        let pool = makePool(poolSize: 3)
        try await pool.execute("CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)")
        try await pool.execute("INSERT INTO counter VALUES (1, 0)")
        let aRead = Gate()
        let bCommitted = Gate()
        let aRuns = Counter()
        let a = Task {
            try await pool.transaction(isolation: .serializable) { connection in
                let attempt = aRuns.increment()
                // Takes the snapshot; on the first attempt B then commits a change to the same row.
                _ = try await connection.query("SELECT n FROM counter WHERE id = 1")
                if attempt == 1 {
                    await aRead.open()
                    await bCommitted.wait()
                }
                try await connection.execute("UPDATE counter SET n = n + 1 WHERE id = 1")
                return attempt
            }
        }
        await aRead.wait()
        try await pool.transaction(isolation: .serializable) { connection in
            try await connection.execute("UPDATE counter SET n = n + 1 WHERE id = 1")
        }
        await bCommitted.open()
        let finalAttempt = try await a.value
        XCTAssertEqual(finalAttempt, 2)
        XCTAssertEqual(aRuns.current, 2)
        let value = try await scalar(pool, "SELECT n FROM counter")
        XCTAssertEqual(value, 2)
    }

    func testRetriesAWriteSkewCaughtAtCommitOrWrite() async throws {
        // Two doctors both going off call: each reads both rows, then updates its own. SERIALIZABLE
        // must fail one of them (40001), whose retry then sees the other's change.
        let pool = makePool(poolSize: 3)
        try await pool.execute("CREATE TABLE on_call (doctor text PRIMARY KEY, on_duty bool NOT NULL)")
        try await pool.execute("INSERT INTO on_call VALUES ('alice', true), ('bob', true)")
        let bothRead = Counter()
        let readGate = Gate()
        let runs = Counter()
        func goOffCall(_ doctor: String) async throws -> Bool {
            try await pool.transaction(isolation: .serializable) { connection in
                let attempt = runs.increment()
                let rows = try await connection.query("SELECT count(*) FROM on_call WHERE on_duty")
                let onDuty = try rows.first?.decode(Int.self, at: 0) ?? 0
                if attempt <= 2 {
                    if bothRead.increment() == 2 { await readGate.open() }
                    await readGate.wait()
                }
                guard onDuty >= 2 else { return false }
                try await connection.execute("UPDATE on_call SET on_duty = false WHERE doctor = \(doctor)")
                return true
            }
        }
        async let alice = goOffCall("alice")
        async let bob = goOffCall("bob")
        let outcomes = try await [alice, bob]
        XCTAssertEqual(outcomes.filter { $0 }.count, 1, "exactly one doctor may leave")
        XCTAssertEqual(runs.current, 3, "the loser's body ran twice")
        let stillOn = try await pool.query("SELECT count(*) FROM on_call WHERE on_duty")
        XCTAssertEqual(try stillOn.first?.decode(Int.self, at: 0), 1)
    }

    func testRetriesARealDeadlock() async throws {
        let pool = makePool(poolSize: 3)
        try await pool.execute("CREATE TABLE rows (id int PRIMARY KEY, n int NOT NULL)")
        try await pool.execute("INSERT INTO rows VALUES (1, 0), (2, 0)")
        let firstLocked = Gate()
        let secondLocked = Gate()
        let runs = Counter()
        func transfer(first: Int, second: Int, mine: Gate, theirs: Gate) async throws -> Int {
            var myAttempts = 0
            try await pool.transaction { connection in
                myAttempts += 1
                runs.increment()
                try await connection.execute("UPDATE rows SET n = n + 1 WHERE id = \(first)")
                if myAttempts == 1 {
                    await mine.open()
                    await theirs.wait()
                }
                try await connection.execute("UPDATE rows SET n = n + 1 WHERE id = \(second)")
            }
            return myAttempts
        }
        async let one = transfer(first: 1, second: 2, mine: firstLocked, theirs: secondLocked)
        async let two = transfer(first: 2, second: 1, mine: secondLocked, theirs: firstLocked)
        let attempts = try await [one, two]
        XCTAssertEqual(attempts.sorted(), [1, 2], "the deadlock victim ran again")
        XCTAssertEqual(runs.current, 3)
        let rows = try await pool.query("SELECT n FROM rows ORDER BY id")
        XCTAssertEqual(try rows.map { try $0.decode(Int.self, at: 0) }, [2, 2])
    }

    func testGivesUpAfterMaxAttempts() async throws {
        let pool = makePool()
        let runs = Counter()
        do {
            try await pool.transaction(maxAttempts: 3) { connection in
                runs.increment()
                // A real server-raised 40001, every time.
                try await connection.execute(
                    "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$")
            }
            XCTFail("expected the serialization failure")
        } catch let error as PostgresError {
            XCTAssertTrue(error.isSerializationFailure)
        }
        XCTAssertEqual(runs.current, 3)
    }

    func testOtherErrorsAreNotRetried() async throws {
        let pool = makePool()
        let runs = Counter()
        await XCTAssertThrowsErrorAsync(
            try await pool.transaction { connection in
                runs.increment()
                try await connection.execute("SELECT * FROM missing_table")
            })
        XCTAssertEqual(runs.current, 1)
    }

    func testIsolationLevelIsApplied() async throws {
        let pool = makePool()
        let level = try await pool.transaction(isolation: .repeatableRead) { connection in
            try await connection.query("SHOW transaction_isolation").first?.decode(String.self, at: 0)
        }
        XCTAssertEqual(level, "repeatable read")
    }
}
