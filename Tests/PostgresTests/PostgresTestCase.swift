import Postgres
import Shared
import Synchronization
import TestSupport
import XCTest

/// A test case with its own database (dropped afterwards) and pools on it that are shut down after
/// each test.
class PostgresTestCase: XCTestCase {
    private(set) var database: TestDatabase!
    private var pools: [PostgresPool] = []

    override func setUp() async throws {
        try await super.setUp()
        database = try await TestDatabase.create()
    }

    override func tearDown() async throws {
        for pool in pools { await pool.shutdown() }
        pools = []
        try await database?.drop()
        database = nil
        try await super.tearDown()
    }

    /// A pool on the test database, shut down in `tearDown`.
    func makePool(
        _ role: TestDatabase.Role = .owner, poolSize: Int = 4, applicationName: String = "coffer-test",
        acquireTimeout: Duration = .seconds(5)
    ) -> PostgresPool {
        let pool = database.pool(
            role, poolSize: poolSize, applicationName: applicationName, acquireTimeout: acquireTimeout)
        pools.append(pool)
        return pool
    }

    func makePool(configuration: PostgresConfiguration) -> PostgresPool {
        let pool = PostgresPool(configuration: configuration, logger: TestEnvironment.logger())
        pools.append(pool)
        return pool
    }
}

/// Waits until `condition` holds, polling every 20 ms, or fails after `timeout`.
func eventually(
    timeout: Duration = .seconds(10), _ message: String, file: StaticString = #filePath, line: UInt = #line,
    _ condition: () async throws -> Bool
) async rethrows {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try? await Task.sleep(for: .milliseconds(20))
    }
    XCTFail("timed out: \(message)", file: file, line: line)
}

/// A one-shot signal between concurrent test tasks.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func open() {
        isOpen = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }
}

/// A counter safe to bump from any task (transaction bodies, listener callbacks).
final class Counter: Sendable {
    private let value = Mutex(0)
    @discardableResult
    func increment() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
    var current: Int { value.withLock { $0 } }
}

/// Values collected from callbacks on other threads.
final class Collected<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
}

/// The first column of the first row as an Int (counts, sums).
func scalar(_ pool: PostgresPool, _ query: PostgresQuery) async throws -> Int? {
    try await pool.query(query).first?.decode(Int?.self, at: 0)
}
