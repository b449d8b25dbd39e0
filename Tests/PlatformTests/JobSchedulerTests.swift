import Foundation
import Platform
import Postgres
import Shared
import Synchronization
import TestSupport
import XCTest

/// Scheduled jobs are rows: with several replicas each due run happens once, a failure is recorded
/// and the job runs again at its next time, and `trigger` makes a job due now.
final class JobSchedulerTests: XCTestCase {
    final class Counter: Sendable {
        let runs = Mutex(0)
    }

    func testTwoReplicasRunEachDueJobOnceAndATriggerRunsItAgain() async throws {
        let database = try await TestDatabase.create()
        let pool = database.pool(.owner, poolSize: 8)
        defer { Task { await pool.shutdown() } }
        _ = try await Migrator(
            pool: pool, schema: "svc", migrations: [JobScheduler.migration(version: 1, schema: "svc")],
            logger: TestEnvironment.logger()
        ).migrate()
        let counter = Counter()
        let job = ScheduledJob(name: "reconcile", interval: .seconds(3600)) {
            counter.runs.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(200))  // long enough for the other replica to look
        }
        let replicas = (0..<2).map { _ in
            JobScheduler(
                schema: "svc", database: pool, jobs: [job], logger: TestEnvironment.logger(), poll: .milliseconds(50))
        }
        let tasks = replicas.map { replica in Task { try await replica.run() } }
        let ranOnce = await eventually(timeout: .seconds(5)) { counter.runs.withLock { $0 } == 1 }
        XCTAssertTrue(ranOnce)
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(counter.runs.withLock { $0 }, 1, "a due job runs once across replicas, then waits an hour")

        try await replicas[1].trigger("reconcile")
        let ranTwice = await eventually(timeout: .seconds(5)) { counter.runs.withLock { $0 } == 2 }
        XCTAssertTrue(ranTwice)
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(counter.runs.withLock { $0 }, 2, "a trigger is one more run, not one per replica")
        let runs = try await pool.query("SELECT runs, last_error FROM svc.scheduled_jobs WHERE name = 'reconcile'")
            .first
        XCTAssertNil(try runs?.decode(String?.self, at: 1))

        for replica in replicas { await replica.shutdown() }
        for task in tasks { try await task.value }
    }

    func testAFailedRunIsRecordedAndTheJobStaysScheduled() async throws {
        struct Broken: Error {}
        let database = try await TestDatabase.create()
        let pool = database.pool(.owner)
        defer { Task { await pool.shutdown() } }
        _ = try await Migrator(
            pool: pool, schema: "svc", migrations: [JobScheduler.migration(version: 1, schema: "svc")],
            logger: TestEnvironment.logger()
        ).migrate()
        let scheduler = JobScheduler(
            schema: "svc", database: pool,
            jobs: [
                ScheduledJob(name: "broken", interval: .seconds(3600)) {
                    throw Broken()
                }
            ], logger: TestEnvironment.logger(), poll: .milliseconds(50))
        let task = Task { try await scheduler.run() }
        let recorded = await eventually(timeout: .seconds(5)) {
            let row = try? await pool.query("SELECT last_error FROM svc.scheduled_jobs WHERE name = 'broken'").first
            return (try? row?.decode(String?.self, at: 0)) != nil
        }
        XCTAssertTrue(recorded, "the failure is on the job's row")
        let next = try await pool.query(
            "SELECT run_at > now() + interval '50 minutes' FROM svc.scheduled_jobs WHERE name = 'broken'"
        ).first
        XCTAssertEqual(try next?.decode(Bool.self, at: 0), true, "it runs again at its next time, not in a tight loop")
        await scheduler.shutdown()
        try await task.value
    }
}
