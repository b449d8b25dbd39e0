import Contracts
import Foundation
import Platform
import Postgres
import Shared
import Synchronization
import TestSupport
import XCTest

/// The unit of work on real PostgreSQL: a write, its events and its idempotency answer commit together
/// or not at all, and what runs after commit (relay nudge, bells, `afterCommit`) runs only after it.
final class UnitOfWorkTests: XCTestCase {
    final class Box: Sendable {
        let value = Mutex<Bool?>(nil)
    }

    struct Stack {
        let database: TestDatabase
        let pool: PostgresPool
        let outbox: Outbox
        let idempotency: IdempotencyStore
        let work: UnitOfWork
    }

    static let tenant = "ten_01JT0000000000000000000001"

    func makeStack() async throws -> Stack {
        let database = try await TestDatabase.create()
        let pool = database.pool(.owner)
        _ = try await Migrator(
            pool: pool, schema: "producer",
            migrations: [
                OutboxSchema.outboxMigration(version: 1, schema: "producer"),
                IdempotencySchema.migration(version: 2, schema: "producer"),
                Migration(
                    version: 3, name: "things",
                    sql: "CREATE TABLE producer.things (id text PRIMARY KEY, tenant_id text NOT NULL)"),
            ], logger: TestEnvironment.logger()
        ).migrate()
        // One subscriber, never reached: the relay is not running, the rows are only counted.
        let outbox = Outbox(
            schema: "producer",
            routes: EventRoutes([("thing.", [EventRoutes.Subscriber(name: "consumer", baseURL: "http://127.0.0.1:9")])])
        )
        let idempotency = IdempotencyStore(
            database: pool, schema: "producer", retention: .seconds(3600), lease: .seconds(30))
        return Stack(
            database: database, pool: pool, outbox: outbox, idempotency: idempotency,
            work: UnitOfWork(database: pool, outbox: outbox, audit: nil, idempotency: idempotency, source: "producer"))
    }

    func count(_ pool: PostgresPool, _ sql: PostgresQuery) async throws -> Int64 {
        try await pool.query(sql).first?.decode(Int64.self, at: 0) ?? -1
    }

    func testTheChangeItsEventsAndItsAnswerCommitTogetherAndAfterCommitRunsAfter() async throws {
        let stack = try await makeStack()
        defer { Task { await stack.pool.shutdown() } }
        guard
            case .proceed(let claim) = try await stack.idempotency.claim(
                scope: "tenant:\(Self.tenant)", key: "key-1", tenantID: Self.tenant, method: "POST", path: "/v1/things",
                fingerprint: "f")
        else { return XCTFail("a new key is not claimed") }
        let seenAfterCommit = Box()
        let bell = Doorbell()
        let pool = stack.pool
        let committed = try await stack.work.run(
            WorkRequest(tenantID: Self.tenant, actor: "key_test", correlationID: "corr", claim: claim),
            answer: { id in StoredAnswer.json(201, ["id": .string(id)]) }
        ) { work in
            work.write("INSERT INTO producer.things (id, tenant_id) VALUES ('thing_1', \(Self.tenant))")
            work.publish("thing.created", data: ["id": "thing_1"], orderingKey: "thing_1", tenantID: Self.tenant)
            work.ring(bell)
            work.afterCommit {
                // Another connection sees the row when the action runs: it ran after the commit.
                Task { @Sendable in
                    let rows = try? await pool.query("SELECT count(*) FROM producer.things WHERE id = 'thing_1'").first?
                        .decode(Int64.self, at: 0)
                    seenAfterCommit.value.withLock { $0 = rows == 1 }
                }
            }
            return "thing_1"
        }
        XCTAssertEqual(committed.value, "thing_1")
        XCTAssertNotNil(committed.answer, "the answer is stored with the change")
        let seen = await eventually { seenAfterCommit.value.withLock { $0 } != nil }
        XCTAssertTrue(seen)
        XCTAssertEqual(seenAfterCommit.value.withLock { $0 }, true)
        let thingCount = try await count(stack.pool, "SELECT count(*) FROM producer.things")
        let eventCount = try await count(
            stack.pool, "SELECT count(*) FROM producer.outbox WHERE event_type = 'thing.created'")
        XCTAssertEqual(thingCount, 1)
        XCTAssertEqual(eventCount, 1)
        // The key now replays the stored answer.
        guard
            case .replay(let status, let body) = try await stack.idempotency.claim(
                scope: "tenant:\(Self.tenant)", key: "key-1", tenantID: Self.tenant, method: "POST", path: "/v1/things",
                fingerprint: "f")
        else { return XCTFail("the key does not replay") }
        XCTAssertEqual(status, 201)
        XCTAssertEqual(try JSONValue.parse(body)["id"]?.stringValue, "thing_1")
    }

    func testAFailedUnitLeavesNothingAndRunsNothingAfter() async throws {
        let stack = try await makeStack()
        defer { Task { await stack.pool.shutdown() } }
        guard
            case .proceed(let claim) = try await stack.idempotency.claim(
                scope: "tenant:\(Self.tenant)", key: "key-2", tenantID: Self.tenant, method: "POST", path: "/v1/things",
                fingerprint: "f")
        else { return XCTFail("a new key is not claimed") }
        let ranAfterCommit = Mutex(false)
        do {
            _ = try await stack.work.run(
                WorkRequest(tenantID: Self.tenant, actor: "key_test", correlationID: nil, claim: claim),
                answer: { (_: String) in StoredAnswer.json(201, [:]) }
            ) { work -> String in
                work.write("INSERT INTO producer.things (id, tenant_id) VALUES ('thing_2', \(Self.tenant))")
                work.publish("thing.created", data: ["id": "thing_2"], orderingKey: "thing_2", tenantID: Self.tenant)
                work.afterCommit { ranAfterCommit.withLock { $0 = true } }
                // The second insert of the same id fails inside the final pipeline: the whole unit rolls back.
                work.write("INSERT INTO producer.things (id, tenant_id) VALUES ('thing_2', \(Self.tenant))")
                return "thing_2"
            }
            XCTFail("a unit whose write fails committed")
        } catch {}
        XCTAssertFalse(ranAfterCommit.withLock { $0 })
        let thingCount = try await count(stack.pool, "SELECT count(*) FROM producer.things")
        let eventCount = try await count(stack.pool, "SELECT count(*) FROM producer.outbox")
        let answered = try await count(
            stack.pool, "SELECT count(*) FROM producer.idempotency_keys WHERE response_status IS NOT NULL")
        XCTAssertEqual(thingCount, 0)
        XCTAssertEqual(eventCount, 0, "no event for a change that did not commit")
        XCTAssertEqual(answered, 0, "no answer stored for a change that did not commit")
    }

    func testPublishingWithoutAnOutboxIsRefusedAndNothingCommits() async throws {
        let stack = try await makeStack()
        defer { Task { await stack.pool.shutdown() } }
        let silent = UnitOfWork(database: stack.pool, outbox: nil, audit: nil, idempotency: nil, source: "silent")
        do {
            _ = try await silent.runEvents { work in
                work.write("INSERT INTO producer.things (id, tenant_id) VALUES ('thing_3', \(Self.tenant))")
                work.publish("thing.created", data: [:], orderingKey: "thing_3", tenantID: Self.tenant)
            }
            XCTFail("an event without an outbox was accepted")
        } catch let error as DomainError {
            XCTAssertEqual(error.kind, .internalFailure)
        }
        let thingCount = try await count(stack.pool, "SELECT count(*) FROM producer.things")
        XCTAssertEqual(thingCount, 0)
    }
}
