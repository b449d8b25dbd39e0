import Postgres
import Shared

/// Which chains `AuditVerifier` walks.
public enum AuditChainScope: Sendable, Hashable {
    case all
    case tenant(String)
    /// Platform-level actions (rows without a tenant).
    case platform

    /// `tenant_id` as the operator API takes it: absent for all, `platform`, or a tenant id.
    public init(tenantParameter: String?) {
        switch tenantParameter {
        case nil, "": self = .all
        case AuditChain.platformKey: self = .platform
        case let tenant?: self = .tenant(tenant)
        }
    }
}

/// Walks audit chains and reports what does not add up: rows whose recomputed hash differs (edited),
/// gaps in `chain_seq` (deleted), `prev_hash` links that do not match, heads that do not name the last
/// row, and rows left unsealed longer than `unsealedThreshold`. Reads only, page by page, so it can run
/// beside live traffic; rows sealed while it walks may be left out of this report, never misreported.
public struct AuditVerifier: Sendable {
    public let schema: String
    private let database: PostgresPool
    public var unsealedThreshold: Duration
    public var pageSize: Int
    /// Problems listed at most (all are still counted as failing).
    public var maxProblems: Int

    public init(
        schema: String, database: PostgresPool, unsealedThreshold: Duration = .seconds(300), pageSize: Int = 2000,
        maxProblems: Int = 1000
    ) {
        self.schema = schema
        self.database = database
        self.unsealedThreshold = unsealedThreshold
        self.pageSize = pageSize
        self.maxProblems = maxProblems
    }

    public func verify(_ scope: AuditChainScope = .all) async throws -> AuditVerificationReport {
        var collector = ProblemCollector(limit: maxProblems)
        var report = AuditVerificationReport()
        // Heads first: a chain sealed while we walk then shows as "head behind", which we tolerate, rather
        // than as rows past the head.
        let heads = try await loadHeads(scope)
        let keys = try await chainKeys(scope, heads: heads)
        for key in keys {
            report.tenantsChecked += 1
            report.rowsChecked += try await walk(key: key, head: heads[key], into: &collector)
        }
        report.unsealedRows = try await checkUnsealed(scope, into: &collector)
        report.problems = collector.problems
        report.problemsTruncated = collector.truncated
        return report
    }

    private struct Head {
        let seq: Int64
        let hash: String
    }

    private func keyFilter(_ scope: AuditChainScope) -> String? {
        switch scope {
        case .all: nil
        case .tenant(let tenant): tenant
        case .platform: AuditChain.platformKey
        }
    }

    private func loadHeads(_ scope: AuditChainScope) async throws -> [String: Head] {
        let key = keyFilter(scope)
        var heads: [String: Head] = [:]
        for row in try await database.platformTransaction({
            try await $0.query(
                """
                SELECT tenant_key, chain_seq, hash FROM \(unsafeSQL: schema).audit_chain_heads
                WHERE \(key)::text IS NULL OR tenant_key = \(key)
                """)
        }) {
            let (tenantKey, seq, hash) = try row.decode((String, Int64, String).self)
            heads[tenantKey] = Head(seq: seq, hash: hash)
        }
        return heads
    }

    /// Every chain with a head or with sealed rows (rows without a head are themselves a finding).
    private func chainKeys(_ scope: AuditChainScope, heads: [String: Head]) async throws -> [String] {
        var keys = Set(heads.keys)
        if let key = keyFilter(scope) {
            keys.insert(key)
        } else {
            for row in try await database.platformTransaction({
                try await $0.query(
                    "SELECT DISTINCT tenant_key FROM \(unsafeSQL: schema).audit_log WHERE chain_seq IS NOT NULL")
            }) {
                keys.insert(try row.decode(String.self, at: 0))
            }
        }
        return keys.sorted()
    }

    /// Walks one chain in `chain_seq` order; returns how many rows it checked.
    private func walk(key: String, head: Head?, into collector: inout ProblemCollector) async throws -> Int {
        let tenantID: String? = key == AuditChain.platformKey ? nil : key
        var checked = 0
        var expected: Int64 = 1
        var previousHash = AuditChain.genesisHash
        var lastSeq: Int64 = 0
        var lastID: Int64 = 0
        while true {
            // Keyset on (chain_seq, id), so a duplicated position (the unique index dropped) still shows.
            let page = try await database.platformTransaction {
                try await $0.query(
                    """
                    SELECT a.chain_seq, a.prev_hash, a.hash, \(unsafeSQL: AuditRowContent.selectList)
                    FROM \(unsafeSQL: schema).audit_log a
                    WHERE a.tenant_key = \(key) AND a.chain_seq IS NOT NULL AND (a.chain_seq, a.id) > (\(lastSeq), \(lastID))
                    ORDER BY a.chain_seq, a.id LIMIT \(pageSize)
                    """)
            }
            for row in page {
                let (seq, prevHash, storedHash, rowID) = try row.decode(
                    (Int64, String, String, Int64).self, startingAt: 0)
                lastSeq = seq
                lastID = rowID
                checked += 1
                if seq > expected {
                    // Located at the first missing position; the row id is the one found after the gap.
                    let missing =
                        expected == seq - 1 ? "position \(expected) is" : "positions \(expected)…\(seq - 1) are"
                    collector.add(
                        .sequenceGap, tenantID, expected, rowID, "\(missing) missing (row \(rowID) is at \(seq))")
                } else if seq < expected {
                    collector.add(.duplicateSequence, tenantID, seq, rowID, "position \(seq) is taken by another row")
                } else if prevHash != previousHash {
                    collector.add(
                        .prevHashMismatch, tenantID, seq, rowID,
                        "prev_hash does not match the hash of position \(seq - 1)")
                }
                do {
                    let content = try AuditRowContent(row: row, at: 3)
                    if AuditChain.hash(content, chainSeq: seq, prevHash: prevHash) != storedHash {
                        collector.add(.hashMismatch, tenantID, seq, rowID, "the row's content does not match its hash")
                    }
                } catch is AuditContentError {
                    collector.add(.unreadable, tenantID, seq, rowID, "the row's JSON cannot be read back")
                }
                previousHash = storedHash
                expected = max(expected, seq + 1)
            }
            if page.count < pageSize { break }
        }
        let lastPosition = expected - 1
        if head == nil, checked > 0 {
            // A chain begun after the heads were read has its head now; one still missing is a finding.
            if let late = try await loadHeads(.tenant(key))[key], late.seq >= lastPosition {
                return checked
            }
            collector.add(
                .headMismatch, tenantID, lastPosition, lastID == 0 ? nil : lastID, "the chain has no head row")
            return checked
        }
        switch head {
        case let head? where head.seq > lastPosition:
            collector.add(
                .headMismatch, tenantID, head.seq, nil,
                "the head is at position \(head.seq) but the last row is at \(lastPosition): rows are missing at the end"
            )
        case let head? where head.seq == lastPosition && head.hash != previousHash:
            collector.add(
                .headMismatch, tenantID, head.seq, lastID == 0 ? nil : lastID, "the head's hash is not the last row's")
        default:
            // A head behind the last row: sealed while we walked (the head was read first), not a finding.
            break
        }
        return checked
    }

    /// Counts unsealed rows and reports those older than the threshold.
    private func checkUnsealed(_ scope: AuditChainScope, into collector: inout ProblemCollector) async throws -> Int {
        let key = keyFilter(scope)
        let count =
            try await database.platformTransaction {
                try await $0.query(
                    """
                    SELECT count(*) FROM \(unsafeSQL: schema).audit_log WHERE chain_seq IS NULL AND (\(key)::text IS NULL OR tenant_key = \(key))
                    """
                )
            }.first?.decode(Int64.self, at: 0) ?? 0
        guard count > 0 else { return 0 }
        let thresholdSeconds =
            Double(unsealedThreshold.components.seconds)
            + Double(unsealedThreshold.components.attoseconds) / 1e18
        let overdue = try await database.platformTransaction {
            try await $0.query(
                """
                SELECT id, tenant_key, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                FROM \(unsafeSQL: schema).audit_log
                WHERE chain_seq IS NULL AND (\(key)::text IS NULL OR tenant_key = \(key))
                  AND occurred_at < now() - make_interval(secs => \(String(thresholdSeconds))::double precision)
                ORDER BY id LIMIT \(maxProblems + 1)
                """)
        }
        for row in overdue {
            let (id, tenantKey, occurredAt) = try row.decode((Int64, String, String).self)
            collector.add(
                .unsealed, tenantKey == AuditChain.platformKey ? nil : tenantKey, nil, id,
                "written at \(occurredAt) and still not sealed")
        }
        return Int(count)
    }
}

/// Problems up to a limit; past it, only the fact that there were more.
private struct ProblemCollector {
    let limit: Int
    var problems: [AuditProblem] = []
    var truncated = false

    mutating func add(
        _ kind: AuditProblem.Kind, _ tenantID: String?, _ chainSeq: Int64?, _ rowID: Int64?, _ detail: String
    ) {
        guard problems.count < limit else {
            truncated = true
            return
        }
        problems.append(AuditProblem(kind: kind, tenantID: tenantID, chainSeq: chainSeq, rowID: rowID, detail: detail))
    }
}
