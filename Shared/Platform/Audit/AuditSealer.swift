import Postgres
import Shared
import Synchronization

/// Seals new audit rows into their tenant's hash chain, moments after they are written: each row gets
/// `chain_seq = head + 1`, `prev_hash = head.hash` and `hash` as `AuditChain` defines it, and the head
/// moves on. Works in batches, one transaction per batch.
///
/// Safe with any number of replicas: a batch locks the heads of the tenants it seals
/// (`FOR UPDATE SKIP LOCKED`, so replicas share the tenants instead of queueing) and reads the unsealed
/// rows only after holding them, so each row is sealed exactly once. A row whose transaction commits
/// after a later id was sealed simply joins its chain further along: the chain's order is `chain_seq`.
public final class AuditSealer: Service {
    /// How much a batch takes and how often the loop looks for work.
    public struct Configuration: Sendable {
        /// Rows sealed per transaction at most.
        public var batchSize = 500
        /// Pause after a batch that emptied the backlog, so rows written meanwhile are sealed together.
        public var busyInterval: Duration = .milliseconds(200)
        /// Longest sleep with nothing to seal (an `AuditLog.nudge()` in this process cuts it short).
        public var idleInterval: Duration = .seconds(2)

        public init() {}
    }

    public let name = "audit-sealer"
    private let schema: String
    private let database: PostgresPool
    private let logger: Logger
    private let configuration: Configuration
    private let control: LoopControl
    private let sealedTotal: MetricFamily<Counter>?
    private let unsealedGauge: MetricFamily<Gauge>?

    /// `doorbell` wakes this sealer's loop early; give each loop its own (a doorbell wakes one waiter).
    public init(
        schema: String, database: PostgresPool, logger: Logger, metrics: MetricsRegistry? = nil,
        configuration: Configuration = Configuration(), doorbell: Doorbell = Doorbell()
    ) {
        self.schema = schema
        self.database = database
        self.logger = logger.with(["component": "audit-sealer"])
        self.configuration = configuration
        control = LoopControl(bell: doorbell)
        sealedTotal = metrics?.counter("coffer_audit_sealed_total", help: "Audit rows sealed into their hash chain.")
        unsealedGauge = metrics?.gauge("coffer_audit_unsealed", help: "Audit rows waiting to be sealed.")
    }

    /// The sealer of `auditLog`'s table, woken by its `nudge()`.
    public convenience init(auditLog: AuditLog, runtime: ServiceRuntime, configuration: Configuration = Configuration())
    {
        self.init(
            schema: auditLog.schema, database: runtime.database, logger: runtime.logger, metrics: runtime.metrics,
            configuration: configuration, doorbell: auditLog.sealerDoorbell)
    }

    public func run() async throws {
        var lastBacklog = ContinuousClock.now - .seconds(60)
        while control.isRunning {
            if unsealedGauge != nil, ContinuousClock.now - lastBacklog > .seconds(15) {
                lastBacklog = ContinuousClock.now
                await refreshBacklog()
            }
            var outcome = BatchOutcome(examined: 0, sealed: 0)
            do {
                outcome = try await sealBatch()
            } catch {
                logger.warning("audit sealing round failed", ["error": .string(String(describing: error))])
            }
            if outcome.examined >= configuration.batchSize { continue }
            if outcome.sealed > 0 {
                try? await Task.sleep(for: configuration.busyInterval)
            } else {
                await control.pause(configuration.idleInterval)
            }
        }
    }

    public func shutdown() async {
        control.stop()
    }

    /// Seals batches until none is left that this sealer can take (rows of tenants another sealer holds
    /// right now are left to it). Returns how many rows it sealed.
    @discardableResult
    public func sealPending() async throws -> Int {
        var total = 0
        while true {
            let outcome = try await sealBatch()
            total += outcome.sealed
            if outcome.sealed == 0 { return total }
        }
    }

    /// What one batch did: rows it read, and rows it sealed (fewer when a row could not be read back).
    public struct BatchOutcome: Sendable {
        public let examined: Int
        public let sealed: Int
    }

    /// One batch in one transaction.
    public func sealBatch() async throws -> BatchOutcome {
        let s = schema
        let batch = configuration.batchSize
        // The tenants of the oldest unsealed rows: oldest work first, whatever the tenant.
        let oldest: PostgresQuery = """
            SELECT DISTINCT tenant_key FROM (
                SELECT tenant_key FROM \(unsafeSQL: s).audit_log WHERE chain_seq IS NULL ORDER BY id LIMIT \(batch)) oldest
            ORDER BY tenant_key
            """
        let candidates = try await database.platformTransaction { try await $0.query(oldest.prepared()) }.map {
            try $0.decode(String.self, at: 0)
        }
        guard !candidates.isEmpty else { return BatchOutcome(examined: 0, sealed: 0) }
        // Every chain needs a head row to lock. Its own statement, before the batch's transaction, so a
        // new head is committed (visible to every replica) before anyone waits on it.
        try await database.platformTransaction { connection in
            try await connection.execute(
                """
                INSERT INTO \(unsafeSQL: s).audit_chain_heads (tenant_key, chain_seq, hash)
                SELECT k, 0, \(AuditChain.genesisHash) FROM unnest(\(array: candidates)::text[]) AS k
                WHERE NOT EXISTS (SELECT 1 FROM \(unsafeSQL: s).audit_chain_heads h WHERE h.tenant_key = k)
                ORDER BY k
                ON CONFLICT (tenant_key) DO NOTHING
                """)
        }
        let outcome = try await database.platformTransaction { connection in
            try await self.seal(candidates: candidates, on: connection)
        }
        if outcome.sealed > 0 { sealedTotal?.increment(by: Int64(outcome.sealed)) }
        return outcome
    }

    private struct Head {
        var seq: Int64
        var hash: String
    }

    private func seal(candidates: [String], on connection: PostgresConnection) async throws -> BatchOutcome {
        let s = schema
        // Heads another sealer holds are skipped: it is sealing those chains right now.
        let lockHeads: PostgresQuery = """
            SELECT tenant_key, chain_seq, hash FROM \(unsafeSQL: s).audit_chain_heads
            WHERE tenant_key = ANY(\(array: candidates)::text[]) ORDER BY tenant_key FOR UPDATE SKIP LOCKED
            """
        var heads: [String: Head] = [:]
        for row in try await connection.query(lockHeads.prepared()) {
            let (key, seq, hash) = try row.decode((String, Int64, String).self)
            heads[key] = Head(seq: seq, hash: hash)
        }
        guard !heads.isEmpty else { return BatchOutcome(examined: 0, sealed: 0) }
        let original = heads
        let locked = heads.keys.sorted()
        // Read after the locks are held: under READ COMMITTED this statement sees every seal committed
        // before, so no row is sealed twice.
        let unsealed: PostgresQuery = """
            SELECT a.tenant_key, \(unsafeSQL: AuditRowContent.selectList)
            FROM \(unsafeSQL: s).audit_log a
            WHERE a.chain_seq IS NULL AND a.tenant_key = ANY(\(array: locked)::text[])
            ORDER BY a.id LIMIT \(configuration.batchSize)
            """
        let rows = try await connection.query(unsealed.prepared())
        var ids: [Int64] = []
        var seqs: [Int64] = []
        var prevHashes: [String] = []
        var hashes: [String] = []
        var stuck: Set<String> = []
        for row in rows {
            let key = try row.decode(String.self, at: 0)
            guard !stuck.contains(key), var head = heads[key] else { continue }
            let content: AuditRowContent
            do {
                content = try AuditRowContent(row: row, at: 1)
            } catch let error as AuditContentError {
                // The chain cannot pass this row: it stays unsealed (the verifier reports it as overdue).
                stuck.insert(key)
                logger.error("audit row cannot be sealed", ["row_id": .int(error.rowID), "chain": .string(key)])
                continue
            }
            let seq = head.seq + 1
            let hash = AuditChain.hash(content, chainSeq: seq, prevHash: head.hash)
            ids.append(content.id)
            seqs.append(seq)
            prevHashes.append(head.hash)
            hashes.append(hash)
            head = Head(seq: seq, hash: hash)
            heads[key] = head
        }
        guard !ids.isEmpty else { return BatchOutcome(examined: rows.count, sealed: 0) }
        let sealRows: PostgresQuery = """
            UPDATE \(unsafeSQL: s).audit_log a SET chain_seq = u.seq, prev_hash = u.prev, hash = u.hash, sealed_at = now()
            FROM unnest(\(array: ids)::bigint[], \(array: seqs)::bigint[], \(array: prevHashes)::text[], \(array: hashes)::text[])
                 AS u(id, seq, prev, hash)
            WHERE a.id = u.id AND a.chain_seq IS NULL
            """
        let updated = try await connection.execute(sealRows.prepared())
        var moved: [String] = []
        var newSeqs: [Int64] = []
        var newHashes: [String] = []
        for key in locked {
            guard let head = heads[key], let before = original[key], head.seq != before.seq else { continue }
            moved.append(key)
            newSeqs.append(head.seq)
            newHashes.append(head.hash)
        }
        let moveHeads: PostgresQuery = """
            UPDATE \(unsafeSQL: s).audit_chain_heads h SET chain_seq = u.seq, hash = u.hash, updated_at = now()
            FROM unnest(\(array: moved)::text[], \(array: newSeqs)::bigint[], \(array: newHashes)::text[]) AS u(key, seq, hash)
            WHERE h.tenant_key = u.key AND h.chain_seq < u.seq
            """
        let headsMoved = try await connection.execute(moveHeads.prepared())
        guard updated == ids.count, headsMoved == moved.count else {
            // Rows or heads changed under locks this batch holds: something bypassed the locking. Roll
            // back and seal nothing rather than fork a chain.
            throw AuditSealingConflict(expected: ids.count, updated: updated)
        }
        return BatchOutcome(examined: rows.count, sealed: ids.count)
    }

    /// The backlog gauge, refreshed by the loop itself (a scrape never waits on the database).
    private func refreshBacklog() async {
        guard let unsealedGauge else { return }
        if let count = try? await database.platformTransaction({
            try await $0.query(
                "SELECT count(*) FROM \(unsafeSQL: schema).audit_log WHERE chain_seq IS NULL"
            )
        })
        .first?.decode(Int64.self, at: 0) {
            unsealedGauge.set(count)
        }
    }
}

/// A batch found rows already sealed that it had locked the chain for: it rolled back instead.
public struct AuditSealingConflict: Error, Sendable, CustomStringConvertible {
    public let expected: Int
    public let updated: Int
    public var description: String { "audit sealing conflict: expected to seal \(expected) rows, sealed \(updated)" }
}
