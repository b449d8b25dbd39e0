import Foundation
import Postgres
import Shared
import Synchronization

/// A job that runs every `interval` somewhere in the deployment (not in every replica).
public struct ScheduledJob: Sendable {
    public let name: String
    public let interval: Duration
    public let run: @Sendable () async throws -> Void

    public init(name: String, interval: Duration, run: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.run = run
    }
}

/// Runs scheduled jobs from rows with `run_at` (DESIGN.md: time-based jobs are rows, not cron in one
/// pod). A due job is claimed with `FOR UPDATE SKIP LOCKED` and a lease, so with many replicas each
/// run happens once; a replica that dies mid-run frees the job when its lease ends.
public final class JobScheduler: Service {
    public let name = "job-scheduler"
    private let schema: String
    private let database: PostgresPool
    private let jobs: [String: ScheduledJob]
    private let logger: Logger
    private let lease: Duration
    private let poll: Duration
    private let control = LoopControl()

    public init(
        schema: String, database: PostgresPool, jobs: [ScheduledJob], logger: Logger,
        lease: Duration = .seconds(600), poll: Duration = .seconds(5)
    ) {
        self.schema = schema
        self.database = database
        self.jobs = Dictionary(uniqueKeysWithValues: jobs.map { ($0.name, $0) })
        self.logger = logger.with(["component": "job-scheduler"])
        self.lease = lease
        self.poll = poll
    }

    /// The table, for a service's migrations (never edit once applied).
    public static func migration(version: Int, schema: String) -> Migration {
        Migration(
            version: version, name: "create_scheduled_jobs",
            sql: """
                CREATE TABLE \(schema).scheduled_jobs (
                    name text PRIMARY KEY,
                    interval_seconds integer NOT NULL,
                    run_at timestamptz NOT NULL DEFAULT now(),
                    locked_until timestamptz,
                    last_started_at timestamptz,
                    last_finished_at timestamptz,
                    last_error text,
                    runs bigint NOT NULL DEFAULT 0
                );
                """)
    }

    public func run() async throws {
        for job in jobs.values {
            // First start: due now. Later starts keep the schedule; a changed interval takes effect.
            _ = try? await database.execute(
                """
                INSERT INTO \(unsafeSQL: schema).scheduled_jobs (name, interval_seconds) VALUES (\(job.name), \(Self.seconds(job.interval)))
                ON CONFLICT (name) DO UPDATE SET interval_seconds = excluded.interval_seconds
                """)
        }
        while control.isRunning {
            let ran = await runDueJob()
            if !ran { await control.pause(poll) }
        }
    }

    public func shutdown() async {
        control.stop()
    }

    /// Makes a job due now (an operator's "run it now").
    public func trigger(_ jobName: String) async throws {
        try await database.execute(
            "UPDATE \(unsafeSQL: schema).scheduled_jobs SET run_at = now() WHERE name = \(jobName)")
        control.bell.ring()
    }

    private func runDueJob() async -> Bool {
        let claimed: String?
        do {
            claimed = try await database.query(
                """
                UPDATE \(unsafeSQL: schema).scheduled_jobs
                SET locked_until = now() + make_interval(secs => \(Self.seconds(lease))), last_started_at = now(), runs = runs + 1
                WHERE name = (
                    SELECT name FROM \(unsafeSQL: schema).scheduled_jobs
                    WHERE run_at <= now() AND (locked_until IS NULL OR locked_until < now())
                      AND name = ANY(\(array: Array(jobs.keys))::text[])
                    ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING name
                """
            ).first?.decode(String.self, at: 0)
        } catch {
            logger.warning("cannot claim scheduled jobs", ["error": .string("\(error)")])
            return false
        }
        guard let claimed, let job = jobs[claimed] else { return false }
        let started = ContinuousClock.now
        var failure: String?
        do {
            try await job.run()
        } catch {
            failure = String(describing: error)
            logger.error("scheduled job failed", ["job": .string(claimed), "error": .string(failure ?? "")])
        }
        let elapsed = ContinuousClock.now - started
        _ = try? await database.execute(
            """
            UPDATE \(unsafeSQL: schema).scheduled_jobs
            SET run_at = now() + make_interval(secs => interval_seconds), locked_until = NULL, last_finished_at = now(),
                last_error = \(failure)
            WHERE name = \(claimed)
            """)
        logger.info(
            "scheduled job ran",
            [
                "job": .string(claimed), "duration": .duration(milliseconds: elapsed),
                "ok": .bool(failure == nil),
            ])
        return true
    }

    static func seconds(_ duration: Duration) -> Int64 { max(1, duration.components.seconds) }
}
