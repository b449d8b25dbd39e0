import Contracts
import Foundation
import HTTP
import Platform
import Postgres
import Shared
import Synchronization
import TestSupport
import XCTest

/// The outbox from write to apply: a producer's relay delivering over real HTTP to a consumer's
/// `/internal/events`, both on real PostgreSQL.
final class OutboxRelayTests: XCTestCase {
    /// Records what it applies; can be told to refuse some events or to fail for a while.
    final class RecordingConsumer: EventConsumer, @unchecked Sendable {
        let applied = Mutex<[String]>([])
        let refuse = Mutex<Set<String>>([])
        let failuresLeft = Mutex<Int>(0)

        func apply(_ event: EventEnvelope, in work: inout Work, logger: Logger) async throws -> EventOutcome {
            if refuse.withLock({ $0.contains(event.id) }) { throw PermanentEventError("refused by test") }
            if failuresLeft.withLock({ left in
                defer { left = max(0, left - 1) }; return left > 0
            }) {
                throw PostgresError(kind: .query, sqlState: "57014", serverMessage: "simulated")
            }
            if event.type == "unknown.type" { return .ignored }
            try await work.connection.execute("INSERT INTO consumer.effects (event_id) VALUES (\(event.id))")
            applied.withLock { $0.append(event.id) }
            return .applied
        }
    }

    struct Stack {
        let database: TestDatabase
        let runtime: ServiceRuntime
        let outbox: Outbox
        let relay: OutboxRelay
        let consumer: RecordingConsumer
        let server: ServiceListeners
    }

    static let pairSecret = "producer-to-consumer-secret-0123"

    func makeStack(maxAttempts: Int = 12) async throws -> Stack {
        let database = try await TestDatabase.create()
        let owner = database.pool(.owner)
        for migration in [
            OutboxSchema.outboxMigration(version: 1, schema: "producer"),
            OutboxSchema.inboxMigration(version: 1, schema: "consumer"),
        ] {
            _ = try await Migrator(
                pool: owner, schema: migration.sql.contains("producer") ? "producer" : "consumer",
                migrations: [migration], logger: TestEnvironment.logger()
            ).migrate()
        }
        try await owner.execute("CREATE TABLE consumer.effects (event_id text PRIMARY KEY)")
        await owner.shutdown()

        let port = ServiceProcess.freePort()
        var reader = ConfigReader(
            service: "producer",
            environment: [
                "DATABASE_URL": database.ownerURL, "COFFER_INTERNAL_SECRETS": "producer>consumer:\(Self.pairSecret)",
                "PORT": String(port),
                "INTERNAL_PORT": "0", "HTTP_HOST": "127.0.0.1",
            ])
        let common = CommonConfiguration(reader: &reader, defaultPort: port)
        try reader.finish()
        let runtime = ServiceRuntime(
            identity: ServiceIdentity(name: "producer", defaultPort: port, migrations: []), configuration: common)
        let consumer = RecordingConsumer()
        let router = Router()
        // This process plays both sides: it relays as "producer" and receives as "consumer".
        let receiving = InternalRequestSigner(
            service: "consumer",
            secrets: InternalSecrets(current: ["producer>consumer": Array(Self.pairSecret.utf8)]))
        InternalEventsEndpoint(
            schema: "consumer",
            work: UnitOfWork(database: runtime.database, outbox: nil, audit: nil, idempotency: nil, source: "consumer"),
            consumer: consumer, senders: EventSenders(["producer": ["*"]]),
            metrics: runtime.metrics
        )
        .register(on: router, authentication: InternalAuthenticator(signer: receiving))
        let server = runtime.makeServer(router: router)
        try await server.start()
        let routes = EventRoutes([
            ("thing.", [EventRoutes.Subscriber(name: "consumer", baseURL: "http://127.0.0.1:\(server.internalPort)")]),
            (
                "unknown.type",
                [EventRoutes.Subscriber(name: "consumer", baseURL: "http://127.0.0.1:\(server.internalPort)")]
            ),
        ])
        let doorbell = Doorbell()
        let outbox = Outbox(schema: "producer", routes: routes, doorbell: doorbell)
        var relayConfiguration = OutboxRelayConfiguration()
        relayConfiguration.maxAttempts = maxAttempts
        relayConfiguration.baseDelay = .milliseconds(10)
        relayConfiguration.maxDelay = .milliseconds(50)
        relayConfiguration.idlePoll = .milliseconds(50)
        let relay = OutboxRelay(outbox: outbox, doorbell: doorbell, runtime: runtime, configuration: relayConfiguration)
        return Stack(
            database: database, runtime: runtime, outbox: outbox, relay: relay, consumer: consumer, server: server)
    }

    func event(_ type: String = "thing.happened", key: String = "obj_1") -> Outbox.Entry {
        Outbox.Entry(
            EventEnvelope(
                type: type, source: "producer", tenantID: "ten_1", correlationID: "corr-1", data: ["key": .string(key)]),
            orderingKey: key)
    }

    func statuses(_ stack: Stack) async throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try await stack.runtime.database.query("SELECT event_id, status FROM producer.outbox") {
            let (id, status) = try row.decode((String, String).self)
            result[id] = status
        }
        return result
    }

    func waitUntil(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        XCTFail("condition not reached")
    }

    func testRolledBackTransactionLeavesNoEventAndCommittedOnesAreDeliveredOnce() async throws {
        let stack = try await makeStack()
        struct Abort: Error {}
        let lost = event()
        do {
            try await stack.runtime.database.transaction { connection in
                try await stack.outbox.enqueue([lost], on: connection)
                throw Abort()
            }
        } catch is Abort {}
        let kept = (0..<20).map { self.event(key: "obj_\($0)") }
        try await stack.runtime.database.transaction { connection in
            try await stack.outbox.enqueue(kept, on: connection)
        }
        let relayTask = Task { try await stack.relay.run() }
        try await waitUntil { stack.consumer.applied.withLock { $0.count } == 20 }
        XCTAssertEqual(Set(stack.consumer.applied.withLock { $0 }), Set(kept.map(\.event.id)))
        let lostStatus = try await statuses(stack)[lost.event.id]
        XCTAssertNil(lostStatus)
        try await waitUntil { try await self.statuses(stack).values.allSatisfy { $0 == "delivered" } }
        await stack.relay.shutdown()
        try await relayTask.value
        await stack.server.shutdown()
    }

    func testRedeliveryIsAppliedOnlyOnce() async throws {
        let stack = try await makeStack()
        let entry = event()
        try await stack.runtime.database.transaction { connection in
            try await stack.outbox.enqueue([entry], on: connection)
        }
        let relayTask = Task { try await stack.relay.run() }
        try await waitUntil { try await self.statuses(stack)[entry.event.id] == "delivered" }
        // An operator replays it (or a lease expired after a crash): the consumer's inbox absorbs it.
        try await stack.runtime.database.execute(
            "UPDATE producer.outbox SET status = 'pending', next_attempt_at = now()")
        stack.outbox.nudge()
        try await waitUntil { try await self.statuses(stack)[entry.event.id] == "delivered" }
        XCTAssertEqual(stack.consumer.applied.withLock { $0 }, [entry.event.id])
        let effects = try await stack.runtime.database.query("SELECT count(*) FROM consumer.effects").first?.decode(
            Int64.self, at: 0)
        XCTAssertEqual(effects, 1)
        await stack.relay.shutdown()
        try await relayTask.value
        await stack.server.shutdown()
    }

    func testEventsOfOneObjectArriveInOrderDespiteFailures() async throws {
        let stack = try await makeStack()
        stack.consumer.failuresLeft.withLock { $0 = 3 }
        let entries = (0..<5).map { _ in event(key: "payment_A") } + [event(key: "payment_B")]
        try await stack.runtime.database.transaction { connection in
            try await stack.outbox.enqueue(entries, on: connection)
        }
        let relayTask = Task { try await stack.relay.run() }
        try await waitUntil { stack.consumer.applied.withLock { $0.count } == 6 }
        let order = stack.consumer.applied.withLock { $0 }.filter { id in
            entries.prefix(5).contains { $0.event.id == id }
        }
        XCTAssertEqual(order, entries.prefix(5).map(\.event.id))
        await stack.relay.shutdown()
        try await relayTask.value
        await stack.server.shutdown()
    }

    func testARefusedEventIsDeadLetteredAndHoldsBackItsObjectOnly() async throws {
        let stack = try await makeStack()
        let poisoned = event(key: "obj_X")
        let behindIt = event(key: "obj_X")
        let other = event(key: "obj_Y")
        stack.consumer.refuse.withLock { _ = $0.insert(poisoned.event.id) }
        try await stack.runtime.database.transaction { connection in
            try await stack.outbox.enqueue([poisoned, behindIt, other], on: connection)
        }
        let relayTask = Task { try await stack.relay.run() }
        try await waitUntil { try await self.statuses(stack)[poisoned.event.id] == "dead" }
        try await waitUntil { try await self.statuses(stack)[other.event.id] == "delivered" }
        try await Task.sleep(for: .milliseconds(300))
        let heldBack = try await statuses(stack)[behindIt.event.id]
        XCTAssertEqual(heldBack, "pending", "held back behind the dead event")
        // The operator fixes the cause and replays: the object's events flow again, in order.
        stack.consumer.refuse.withLock { $0.removeAll() }
        try await stack.runtime.database.execute(
            "UPDATE producer.outbox SET status = 'pending', attempts = 0, next_attempt_at = now() WHERE status = 'dead'"
        )
        stack.outbox.nudge()
        try await waitUntil { try await self.statuses(stack).values.allSatisfy { $0 == "delivered" } }
        let applied = stack.consumer.applied.withLock { $0 }
        XCTAssertLessThan(
            try XCTUnwrap(applied.firstIndex(of: poisoned.event.id)),
            try XCTUnwrap(applied.firstIndex(of: behindIt.event.id)))
        await stack.relay.shutdown()
        try await relayTask.value
        await stack.server.shutdown()
    }

    func testUnreachableSubscriberBacksOffThenDeadLettersAfterMaxAttempts() async throws {
        let stack = try await makeStack(maxAttempts: 3)
        await stack.server.shutdown()
        let entry = event()
        try await stack.runtime.database.transaction { connection in
            try await stack.outbox.enqueue([entry], on: connection)
        }
        let relayTask = Task { try await stack.relay.run() }
        try await waitUntil { try await self.statuses(stack)[entry.event.id] == "dead" }
        let row = try await stack.runtime.database.query("SELECT attempts, last_error FROM producer.outbox").first
        let (attempts, lastError) = try XCTUnwrap(row).decode((Int32, String?).self)
        XCTAssertEqual(attempts, 3)
        XCTAssertTrue(lastError?.contains("connect_failed") ?? false, lastError ?? "")
        await stack.relay.shutdown()
        try await relayTask.value
    }

    func testUnknownTypesAreAcknowledgedAndUnsignedCallsRefused() async throws {
        let stack = try await makeStack()
        let entry = event("unknown.type")
        try await stack.runtime.database.transaction { connection in
            try await stack.outbox.enqueue([entry], on: connection)
        }
        let relayTask = Task { try await stack.relay.run() }
        try await waitUntil { try await self.statuses(stack)[entry.event.id] == "delivered" }
        let outcome = try await stack.runtime.database.query("SELECT outcome FROM consumer.inbox").first?.decode(
            String.self, at: 0)
        XCTAssertEqual(outcome, "ignored")
        let unsigned = try await LoopHTTPClient().send(
            HTTPClientRequest(
                method: .POST, url: "http://127.0.0.1:\(stack.server.internalPort)/internal/events",
                body: EventEnvelope.encodeBatch([event().event])))
        XCTAssertEqual(unsigned.status, .unauthorized)
        XCTAssertEqual(try JSONValue.parse(unsigned.body).value(at: "error.code"), "missing_signature")
        await stack.relay.shutdown()
        try await relayTask.value
        await stack.server.shutdown()
    }
}
