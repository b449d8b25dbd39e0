import Foundation
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

/// The idempotency key's life on real PostgreSQL: claimed once (also under a race), the same key with
/// another request refused, an answer replayed, a dead request's key taken over after its lease at its
/// recovery point, a refused request's key forgotten, an expired key free again.
final class IdempotencyStoreTests: XCTestCase {
    static let tenant = "ten_01JT0000000000000000000002"
    static let scope = "tenant:" + tenant

    func makeStore(retention: Duration = .seconds(3600), lease: Duration = .seconds(30)) async throws -> (
        IdempotencyStore, PostgresPool
    ) {
        let database = try await TestDatabase.create()
        let owner = database.pool(.owner)
        // As in a service: the owner migrates, the runtime role (and the platform role the purge
        // switches to) use it.
        _ = try await Migrator(
            pool: owner, schema: "svc", migrations: [IdempotencySchema.migration(version: 1, schema: "svc")],
            logger: TestEnvironment.logger()
        ).migrate(grantTo: [database.appRole, "coffer_platform"])
        await owner.shutdown()
        let pool = database.pool(.app, poolSize: 12)
        return (IdempotencyStore(database: pool, schema: "svc", retention: retention, lease: lease), pool)
    }

    func claim(_ store: IdempotencyStore, key: String, path: String = "/v1/payouts", fingerprint: String = "body-1")
        async throws
        -> IdempotencyStore.Claim
    {
        try await store.claim(
            scope: Self.scope, key: key, tenantID: Self.tenant, method: "POST", path: path, fingerprint: fingerprint)
    }

    func testAKeyIsClaimedOnceAnotherRequestIsRefusedAndTheAnswerReplays() async throws {
        let (store, pool) = try await makeStore()
        defer { Task { await pool.shutdown() } }
        guard case .proceed(let claim) = try await claim(store, key: "k1") else {
            return XCTFail("a new key is not claimed")
        }
        XCTAssertNil(claim.recoveryPoint)
        guard case .inProgress = try await self.claim(store, key: "k1") else {
            return XCTFail("a key in flight is claimed twice")
        }
        guard case .mismatch = try await self.claim(store, key: "k1", fingerprint: "body-2") else {
            return XCTFail("another body")
        }
        guard case .mismatch = try await self.claim(store, key: "k1", path: "/v1/payees") else {
            return XCTFail("another path")
        }
        try await store.complete(claim, answer: StoredAnswer(status: 201, body: Array(#"{"id":"po_1"}"#.utf8)))
        guard case .replay(let status, let body) = try await self.claim(store, key: "k1") else {
            return XCTFail("no replay")
        }
        XCTAssertEqual(status, 201)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), #"{"id":"po_1"}"#)
        guard case .mismatch = try await self.claim(store, key: "k1", fingerprint: "body-2") else {
            return XCTFail("a completed key replays another request's answer")
        }
    }

    func testConcurrentFirstRequestsClaimTheKeyExactlyOnce() async throws {
        let (store, pool) = try await makeStore()
        defer { Task { await pool.shutdown() } }
        let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    switch try await store.claim(
                        scope: Self.scope, key: "race", tenantID: Self.tenant, method: "POST", path: "/v1/payouts",
                        fingerprint: "body-1")
                    {
                    case .proceed: "proceed"
                    case .inProgress: "in_progress"
                    case .replay: "replay"
                    case .mismatch: "mismatch"
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { $0 == "proceed" }.count, 1, "\(outcomes)")
        XCTAssertEqual(outcomes.filter { $0 == "in_progress" }.count, 9, "\(outcomes)")
    }

    func testADeadRequestsKeyIsTakenOverAtItsRecoveryPointAndARefusedOneIsForgotten() async throws {
        let (store, pool) = try await makeStore(lease: .seconds(1))
        defer { Task { await pool.shutdown() } }
        guard case .proceed(let first) = try await claim(store, key: "k2") else { return XCTFail("not claimed") }
        try await pool.tenantTransaction(Self.tenant) { connection in
            try await connection.execute(store.recoveryPointQuery(first, objectID: "po_created"))
        }
        // The process died here: no answer. Within the lease a retry waits; after it, one retry resumes.
        guard case .inProgress = try await claim(store, key: "k2") else {
            return XCTFail("taken over inside the lease")
        }
        try await Task.sleep(for: .milliseconds(1_300))
        guard case .proceed(let resumed) = try await claim(store, key: "k2") else {
            return XCTFail("not taken over after the lease")
        }
        XCTAssertEqual(resumed.recoveryPoint, "po_created")
        // A key with a recovery point is never released: a retry must resume, not create again.
        await store.release(resumed)
        guard case .inProgress = try await claim(store, key: "k2") else {
            return XCTFail("a key with a recovery point was forgotten")
        }

        guard case .proceed(let refused) = try await claim(store, key: "k3") else { return XCTFail("not claimed") }
        await store.settle(refused, answer: StoredAnswer(status: 400, body: []))
        guard case .proceed = try await claim(store, key: "k3", fingerprint: "fixed-body") else {
            return XCTFail("a refused request's key is not free for the fixed request")
        }
    }

    func testAnExpiredAnswerFreesTheKeyAndThePurgeDeletesIt() async throws {
        let (store, pool) = try await makeStore(retention: .seconds(1))
        defer { Task { await pool.shutdown() } }
        guard case .proceed(let claim) = try await claim(store, key: "k4") else { return XCTFail("not claimed") }
        try await store.complete(claim, answer: StoredAnswer(status: 200, body: []))
        try await Task.sleep(for: .milliseconds(1_300))
        guard case .proceed = try await self.claim(store, key: "k4", fingerprint: "another") else {
            return XCTFail("an expired key is not free again")
        }
        guard case .proceed = try await self.claim(store, key: "k5") else { return XCTFail("not claimed") }
        try await Task.sleep(for: .milliseconds(1_300))
        let purged = try await store.purgeExpired()
        XCTAssertGreaterThanOrEqual(purged, 1)
    }
}
