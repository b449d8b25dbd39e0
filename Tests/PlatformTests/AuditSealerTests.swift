import Foundation
import Platform
import Postgres
import Shared
import Synchronization
import TestSupport
import XCTest

/// Sealing rows into per-tenant hash chains: order, independence, replicas racing, and throughput.
final class AuditSealerTests: XCTestCase {
    /// Every chain link recomputed here from the rows, the way an outside auditor would.
    func assertValidChain(
        _ harness: AuditTestHarness, _ key: String, count: Int, file: StaticString = #filePath,
        line: UInt = #line
    ) async throws {
        let chain = try await harness.chain(key)
        XCTAssertEqual(chain.count, count, "chain \(key) length", file: file, line: line)
        XCTAssertEqual(
            chain.map(\.seq), (0..<Int64(chain.count)).map { $0 + 1 }, "positions 1…n without gaps", file: file,
            line: line)
        var previous = AuditChain.genesisHash
        for link in chain {
            XCTAssertEqual(link.prev, previous, "prev_hash of \(key)#\(link.seq)", file: file, line: line)
            previous = link.hash
        }
        let head = try await harness.app.query(
            "SELECT chain_seq, hash FROM svc.audit_chain_heads WHERE tenant_key = \(key)")
        XCTAssertEqual(
            try head.first?.decode(Int64.self, at: 0), Int64(count), "head position of \(key)", file: file, line: line)
        XCTAssertEqual(
            try head.first?.decode(String.self, at: 1), previous, "head hash of \(key)", file: file, line: line)
    }

    func testSealsEachTenantsRowsInIdOrderIntoIndependentChains() async throws {
        let harness = try await AuditTestHarness.make()
        var entries: [AuditEntry] = []
        for n in 0..<30 { entries.append(AuditTestHarness.entry(["ten_a", "ten_b", nil][n % 3], n)) }
        try await harness.record(entries)
        // Small batches: chains continue correctly across batches.
        let sealed = try await harness.sealer(batchSize: 4).sealPending()
        XCTAssertEqual(sealed, 30)
        for key in ["ten_a", "ten_b", AuditChain.platformKey] {
            try await assertValidChain(harness, key, count: 10)
            let chain = try await harness.chain(key)
            XCTAssertEqual(chain.map(\.id), chain.map(\.id).sorted(), "\(key): sealed in id order")
        }
        // The stored hash is the documented one over the row as read back.
        let row = try await harness.app.query(
            """
            SELECT a.chain_seq, a.prev_hash, a.hash, a.id, a.tenant_id, a.actor, a.action, a.object_type, a.object_id,
                   a.before::text, a.after::text, a.correlation_id,
                   to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            FROM svc.audit_log a WHERE a.tenant_key = 'ten_b' AND a.chain_seq = 2
            """)[0]
        let (seq, prev, hash, id, tenant, actor, action, objectType, objectID) =
            try row.decode((Int64, String, String, Int64, String?, String, String, String, String).self, startingAt: 0)
        let (before, after, correlation, occurredAt) = try row.decode(
            (String?, String?, String?, String).self, startingAt: 9)
        let content = AuditRowContent(
            id: id, tenantID: tenant, actor: actor, action: action, objectType: objectType, objectID: objectID,
            before: try before.map { try JSONValue.parse($0) }, after: try after.map { try JSONValue.parse($0) },
            correlationID: correlation, occurredAt: occurredAt)
        XCTAssertEqual(AuditChain.hash(content, chainSeq: seq, prevHash: prev), hash)
        XCTAssertEqual(occurredAt.count, "2026-11-21T16:48:00.123456Z".count)
        // New rows extend the chains; nothing already sealed moves.
        let before30 = try await harness.chain("ten_a")
        try await harness.record([AuditTestHarness.entry("ten_a", 100)])
        let extended = try await harness.sealer().sealPending()
        XCTAssertEqual(extended, 1)
        let after31 = try await harness.chain("ten_a")
        XCTAssertEqual(Array(after31.prefix(10)).map(\.hash), before30.map(\.hash))
        XCTAssertEqual(after31.last?.prev, before30.last?.hash)
        try await assertValidChain(harness, "ten_a", count: 11)
        try await harness.close()
    }

    func testARowCommittedAfterALaterIdWasSealedJoinsTheChainFurtherAlong() async throws {
        let harness = try await AuditTestHarness.make()
        // Transaction 1 takes an id first but commits last.
        let held = Task {
            try await harness.app.transaction { connection in
                try await harness.log.record(AuditTestHarness.entry("ten_1", 1), on: connection)
                try await Task.sleep(for: .milliseconds(600))
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        try await harness.record([AuditTestHarness.entry("ten_1", 2), AuditTestHarness.entry("ten_1", 3)])
        let sealedFirst = try await harness.sealer().sealPending()
        XCTAssertEqual(sealedFirst, 2)
        try await held.value
        let sealedLate = try await harness.sealer().sealPending()
        XCTAssertEqual(sealedLate, 1)
        let chain = try await harness.chain("ten_1")
        XCTAssertEqual(chain.map(\.seq), [1, 2, 3])
        XCTAssertEqual(chain.last?.id, chain.map(\.id).min(), "the late commit is sealed last, with the lowest id")
        try await assertValidChain(harness, "ten_1", count: 3)
        let verified = try await harness.verifier().verify().ok
        XCTAssertTrue(verified)
        try await harness.close()
    }

    func testTwoSealersRacingSealEveryRowExactlyOnce() async throws {
        let harness = try await AuditTestHarness.make(appPoolSize: 12)
        let tenants = ["ten_a", "ten_b", "ten_c", "ten_d", nil]
        // Two replicas (separate pools) seal as fast as they can while eight writers keep writing.
        let poolA = harness.database.pool(.app, poolSize: 2)
        let poolB = harness.database.pool(.app, poolSize: 2)
        let sealers = [
            harness.sealer(batchSize: 37, pool: poolA, doorbell: Doorbell()),
            harness.sealer(batchSize: 37, pool: poolB, doorbell: Doorbell()),
        ]
        let writing = WritingFlag()
        let replicas = sealers.map { sealer in
            Task {
                var sealed = 0
                while true {
                    let stillWriting = writing.value.load(ordering: .acquiring)
                    let outcome = try await sealer.sealBatch()
                    sealed += outcome.sealed
                    if outcome.examined == 0 {
                        if !stillWriting { return sealed }
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for n in 0..<100 {
                        let entry = AuditTestHarness.entry(tenants[(writer + n) % tenants.count], writer * 1000 + n)
                        try await harness.app.transaction { connection in
                            try await harness.log.record(entry, on: connection)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        writing.value.store(false, ordering: .releasing)
        var counts: [Int] = []
        for replica in replicas { counts.append(try await replica.value) }
        print("audit: two racing sealers sealed \(counts) rows")
        // A row sealed twice would be counted twice (and refused by the trigger, failing the batch).
        XCTAssertEqual(counts.reduce(0, +), 800)
        let unsealed = try await harness.count("SELECT count(*) FROM svc.audit_log WHERE chain_seq IS NULL")
        XCTAssertEqual(unsealed, 0)
        for key in ["ten_a", "ten_b", "ten_c", "ten_d", AuditChain.platformKey] {
            try await assertValidChain(harness, key, count: 160)
        }
        let report = try await harness.verifier().verify()
        XCTAssertTrue(report.ok, "\(report.problems)")
        XCTAssertEqual(report.rowsChecked, 800)
        XCTAssertEqual(report.tenantsChecked, 5)
        await poolA.shutdown()
        await poolB.shutdown()
        try await harness.close()
    }

    func testTheLoopSealsMomentsAfterANudge() async throws {
        let harness = try await AuditTestHarness.make()
        var configuration = AuditSealer.Configuration()
        configuration.idleInterval = .seconds(30)
        let sealer = AuditSealer(
            schema: AuditTestHarness.schema, database: harness.app, logger: TestEnvironment.logger(),
            configuration: configuration, doorbell: harness.log.sealerDoorbell)
        let loop = Task { try await sealer.run() }
        try await Task.sleep(for: .milliseconds(100))
        try await harness.record([AuditTestHarness.entry("ten_1", 1)])
        harness.log.nudge()
        let started = ContinuousClock.now
        while try await harness.count("SELECT count(*) FROM svc.audit_log WHERE chain_seq IS NULL") > 0 {
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "sealed long before the 30 s idle poll")
            try await Task.sleep(for: .milliseconds(10))
        }
        await sealer.shutdown()
        try await loop.value
        try await assertValidChain(harness, "ten_1", count: 1)
        try await harness.close()
    }

    /// Throughput, printed (targets live in `make bench`, not in assertions).
    func testTenThousandRowsFromTwentyWritersAreRecordedAndSealedInSeconds() async throws {
        let harness = try await AuditTestHarness.make(appPoolSize: 20)
        let tenants = (0..<10).map { "ten_\($0)" }
        let clock = ContinuousClock()
        let recording = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<20 {
                    group.addTask {
                        for n in 0..<500 {
                            let entry = AuditTestHarness.entry(tenants[(writer + n) % tenants.count], writer * 1000 + n)
                            try await harness.app.transaction { connection in
                                try await harness.log.record(entry, on: connection)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var sealed = 0
        let sealing = try await clock.measure { sealed = try await harness.sealer().sealPending() }
        var report = AuditVerificationReport()
        let verifying = try await clock.measure {
            report = try await AuditVerifier(schema: AuditTestHarness.schema, database: harness.app).verify()
        }
        print(
            "audit: recorded 10000 rows from 20 tasks in \(recording), sealed \(sealed) in \(sealing), verified in \(verifying)"
        )
        XCTAssertEqual(sealed, 10_000)
        XCTAssertTrue(report.ok, "\(report.problems.prefix(5))")
        XCTAssertEqual(report.rowsChecked, 10_000)
        try await harness.close()
    }
}

/// Whether the writers are still writing, shared with the sealing replicas.
private final class WritingFlag: Sendable {
    let value = Atomic<Bool>(true)
}
