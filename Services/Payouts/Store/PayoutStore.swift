import Foundation
import Postgres
import Shared

/// Every statement about `payouts.payouts`. Rows are decoded by column name into `Payout`s; callers
/// pass the connection of their transaction (a unit of work's, or a worker's platform transaction).
struct PayoutStore: Sendable {
    static let columns = """
        o.id, o.tenant_id, o.livemode, o.payee_id, o.amount, o.currency, o.purpose, o.narration, o.status, o.approval_reasons,
        o.hold_reasons, o.scheduled_for, o.is_test, o.batch_id, o.provider, o.connector_id, o.provider_payout_id, o.attempts,
        o.failure_code, o.failure_message, o.approved_by, o.released_by, o.created_by, o.metadata::text AS metadata, o.created_at,
        o.updated_at, o.processed_at, o.destination_kind, o.destination_last4
        """

    // Synchronous on purpose: Swift 6.3's optimizer crashes splitting async functions that call
    // typed-throwing parsers inside loops (release builds; docs/compiler-workarounds.md).
    @inline(never)
    static func payout(_ row: PostgresRow) throws -> Payout {
        Payout(
            id: try row.decode(String.self, column: "id"), tenantID: try row.decode(String.self, column: "tenant_id"),
            livemode: try row.decode(Bool.self, column: "livemode"),
            payeeID: try row.decode(String.self, column: "payee_id"),
            amount: try row.decode(Int64.self, column: "amount"),
            currency: Currency(code: try row.decode(String.self, column: "currency")) ?? .usd,
            purpose: try row.decode(String.self, column: "purpose"),
            narration: try row.decode(String?.self, column: "narration"),
            status: PayoutStatus(rawValue: try row.decode(String.self, column: "status")) ?? .queued,
            approvalReasons: try row.decode([String].self, column: "approval_reasons"),
            holdReasons: try row.decode([String].self, column: "hold_reasons"),
            scheduledFor: try row.decode(Date?.self, column: "scheduled_for"),
            isTest: try row.decode(Bool.self, column: "is_test"),
            batchID: try row.decode(String?.self, column: "batch_id"),
            provider: try row.decode(String?.self, column: "provider"),
            connectorID: try row.decode(String?.self, column: "connector_id"),
            providerPayoutID: try row.decode(String?.self, column: "provider_payout_id"),
            attempts: Int(try row.decode(Int32.self, column: "attempts")),
            failureCode: try row.decode(String?.self, column: "failure_code"),
            failureMessage: try row.decode(String?.self, column: "failure_message"),
            approvedBy: try row.decode(String?.self, column: "approved_by"),
            releasedBy: try row.decode(String?.self, column: "released_by"),
            createdBy: try row.decode(String.self, column: "created_by"),
            metadata: (try? JSONValue.parse(try row.decode(String.self, column: "metadata"))) ?? [:],
            createdAt: try row.decode(Date.self, column: "created_at"),
            updatedAt: try row.decode(Date.self, column: "updated_at"),
            processedAt: try row.decode(Date?.self, column: "processed_at"),
            destinationKind: try row.decode(String?.self, column: "destination_kind"),
            destinationLast4: try row.decode(String?.self, column: "destination_last4"))
    }

    @inline(never)
    static func payouts(_ rows: PostgresRows) throws -> [Payout] { try rows.map(payout) }

    // MARK: One payout

    func load(_ id: String, tenantID: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws
        -> Payout?
    {
        let query: PostgresQuery = """
            SELECT \(unsafeSQL: Self.columns) FROM payouts.payouts o WHERE o.id = \(id) AND o.tenant_id = \(tenantID)
            \(unsafeSQL: forUpdate ? "FOR UPDATE" : "")
            """
        return try await connection.query(query.prepared()).first.map(Self.payout)
    }

    /// The tenant a payout belongs to (operators act across tenants).
    func tenant(of id: String, on connection: PostgresConnection) async throws -> String? {
        try await connection.query("SELECT tenant_id FROM payouts.payouts WHERE id = \(id)").first?.decode(
            String.self, at: 0)
    }

    struct NewPayout: Sendable {
        let id: String
        let tenantID: String
        let livemode: Bool
        let payeeID: String
        let amount: Int64
        let currency: Currency
        let purpose: String
        let narration: String?
        let status: PayoutStatus
        let approvalReasons: [String]
        let holdReasons: [String]
        let scheduledFor: Date?
        let isTest: Bool
        let batchID: String?
        let createdBy: String
        let metadata: JSONValue
        /// The payee's destination at creation, pinned to the payout.
        let destination: Payee
    }

    func insert(_ new: NewPayout, on connection: PostgresConnection) async throws -> Payout {
        let insert: PostgresQuery = """
            INSERT INTO payouts.payouts AS o (id, tenant_id, livemode, payee_id, amount, currency, purpose, narration, status, is_test,
                approval_reasons, hold_reasons, scheduled_for, batch_id, created_by, metadata, queued_at, next_attempt_at,
                destination_kind, destination_sealed, destination_last4, destination_fingerprint)
            VALUES (\(new.id), \(new.tenantID), \(new.livemode), \(new.payeeID), \(new.amount), \(new.currency.code), \(new.purpose),
                \(new.narration), \(new.status.rawValue), \(new.isTest), \(array: new.approvalReasons)::text[],
                \(array: new.holdReasons)::text[], \(new.scheduledFor), \(new.batchID), \(new.createdBy), \(new.metadata.jsonString)::jsonb,
                \(new.status == .queued ? Date() : nil), now(), \(new.destination.destinationKind.rawValue),
                \(new.destination.destinationSealed), \(new.destination.destinationLast4), \(new.destination.destinationFingerprint))
            RETURNING \(unsafeSQL: Self.columns)
            """
        guard let row = try await connection.query(insert.prepared()).first else {
            throw DomainError.internalFailure("payout insert returned nothing")
        }
        return try Self.payout(row)
    }

    /// Writes the mutable columns of a locked payout (`pin` also re-pins its destination).
    func saveQuery(_ payout: Payout, leaseUntil: Date? = nil, nextAttemptAt: Date? = nil, pin: Payee? = nil)
        -> PostgresQuery
    {
        let query: PostgresQuery = """
            UPDATE payouts.payouts SET status = \(payout.status.rawValue), approval_reasons = \(array: payout.approvalReasons)::text[],
                hold_reasons = \(array: payout.holdReasons)::text[], provider = \(payout.provider), connector_id = \(payout.connectorID),
                provider_payout_id = \(payout.providerPayoutID), attempts = \(Int64(payout.attempts)), failure_code = \(payout.failureCode),
                failure_message = \(payout.failureMessage), approved_by = \(payout.approvedBy), released_by = \(payout.releasedBy),
                lease_until = \(leaseUntil), next_attempt_at = coalesce(\(nextAttemptAt), next_attempt_at),
                queued_at = CASE WHEN \(payout.status.rawValue) = 'queued' THEN coalesce(queued_at, now()) ELSE queued_at END,
                processed_at = \(payout.processedAt),
                finished_at = CASE WHEN \(payout.status.isTerminal) THEN coalesce(finished_at, now()) ELSE NULL END,
                destination_kind = coalesce(\(pin?.destinationKind.rawValue), destination_kind),
                destination_sealed = coalesce(\(pin?.destinationSealed), destination_sealed),
                destination_last4 = coalesce(\(pin?.destinationLast4), destination_last4),
                destination_fingerprint = coalesce(\(pin?.destinationFingerprint), destination_fingerprint),
                updated_at = now()
            WHERE id = \(payout.id) AND tenant_id = \(payout.tenantID)
            """
        return query.prepared()
    }

    func save(_ payouts: [Payout], nextAttemptAt: Date? = nil, pin: Payee? = nil, on connection: PostgresConnection)
        async throws
    {
        guard !payouts.isEmpty else { return }
        _ = try await connection.pipeline(payouts.map { saveQuery($0, nextAttemptAt: nextAttemptAt, pin: pin) })
    }

    /// Whether the payout's payee is active (nil: no such payout).
    func payeeIsActive(payoutID: String, tenantID: String, on connection: PostgresConnection) async throws -> Bool? {
        try await connection.query(
            """
            SELECT e.status = 'active' FROM payouts.payouts o JOIN payouts.payees e ON e.id = o.payee_id AND e.tenant_id = o.tenant_id
            WHERE o.id = \(payoutID) AND o.tenant_id = \(tenantID)
            """
        ).first?.decode(Bool.self, at: 0)
    }

    // MARK: Lists

    struct Filter: Sendable {
        var limit = 10
        var startingAfter: String?
        var status: String?
        var payeeID: String?
        var batchID: String?
    }

    func list(tenantID: String, livemode: Bool, filter: Filter, on connection: PostgresConnection) async throws
        -> [Payout]
    {
        try Self.payouts(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns) FROM payouts.payouts o
                WHERE o.tenant_id = \(tenantID) AND o.livemode = \(livemode)
                  AND (\(filter.startingAfter)::text IS NULL OR o.id < \(filter.startingAfter))
                  AND (\(filter.status)::text IS NULL OR o.status = \(filter.status))
                  AND (\(filter.payeeID)::text IS NULL OR o.payee_id = \(filter.payeeID))
                  AND (\(filter.batchID)::text IS NULL OR o.batch_id = \(filter.batchID))
                ORDER BY o.id DESC LIMIT \(Int64(filter.limit + 1))
                """))
    }

    func inBatch(_ batchID: String, tenantID: String, on connection: PostgresConnection) async throws -> [Payout] {
        try Self.payouts(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns) FROM payouts.payouts o WHERE o.batch_id = \(batchID) AND o.tenant_id = \(tenantID)
                """))
    }

    /// A payee's payouts not sent yet (locked), real ones only (a destination check is the check).
    func openPayouts(payeeID: String, tenantID: String, currency: String? = nil, on connection: PostgresConnection)
        async throws -> [Payout]
    {
        try Self.payouts(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns) FROM payouts.payouts o
                WHERE o.tenant_id = \(tenantID) AND o.payee_id = \(payeeID) AND NOT o.is_test
                  AND o.status IN ('scheduled', 'pending_approval', 'held', 'queued')
                  AND (\(currency)::text IS NULL OR o.currency = \(currency))
                ORDER BY o.id FOR UPDATE
                """))
    }

    /// Payouts of a payee waiting on one hold reason (locked).
    func waiting(
        on reason: HoldReason, payeeID: String, tenantID: String, currency: String? = nil,
        on connection: PostgresConnection
    ) async throws -> [Payout] {
        try Self.payouts(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns) FROM payouts.payouts o
                WHERE o.tenant_id = \(tenantID) AND o.payee_id = \(payeeID) AND o.status IN ('held', 'pending_approval')
                  AND \(reason.rawValue) = ANY(o.hold_reasons) AND (\(currency)::text IS NULL OR o.currency = \(currency))
                ORDER BY o.id FOR UPDATE
                """))
    }

    /// The most recent payout's currency (a destination check is paid in it).
    func lastCurrency(payeeID: String, tenantID: String, on connection: PostgresConnection) async throws -> Currency? {
        try await connection.query(
            """
            SELECT currency FROM payouts.payouts WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID) ORDER BY created_at DESC LIMIT 1
            """
        ).first.flatMap { Currency(code: try $0.decode(String.self, at: 0)) }
    }

    // MARK: First run

    /// Payouts waiting for the tenant's first-run confirmation in this mode (locked).
    func waitingForFirstRun(tenantID: String, livemode: Bool, on connection: PostgresConnection) async throws
        -> [Payout]
    {
        try Self.payouts(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns) FROM payouts.payouts o
                WHERE o.tenant_id = \(tenantID) AND o.livemode = \(livemode) AND o.status = 'pending_approval' AND 'first_run' = ANY(o.approval_reasons)
                ORDER BY o.id FOR UPDATE
                """))
    }

    struct FirstRunTotal: Sendable {
        let currency: String
        let payouts: Int64
        let amount: Int64
        let payees: Int64

        var json: JSONValue {
            ["currency": .string(currency), "payouts": .int(payouts), "amount": .int(amount), "payees": .int(payees)]
        }
    }

    /// What the first run would pay, per currency.
    func firstRunTotals(tenantID: String, livemode: Bool, on connection: PostgresConnection) async throws
        -> [FirstRunTotal]
    {
        try await connection.query(
            """
            SELECT currency, count(*), sum(amount)::bigint, count(DISTINCT payee_id) FROM payouts.payouts
            WHERE tenant_id = \(tenantID) AND livemode = \(livemode) AND status = 'pending_approval' AND 'first_run' = ANY(approval_reasons)
            GROUP BY currency ORDER BY currency
            """
        ).map { row in
            let (currency, count, sum, payees) = try row.decode((String, Int64, Int64, Int64).self)
            return FirstRunTotal(currency: currency, payouts: count, amount: sum, payees: payees)
        }
    }

    // MARK: Rails

    /// Payouts counted against a payee's daily limit (its own index), since the tenant's day started.
    func countToday(payeeID: String, tenantID: String, timeZone: String, on connection: PostgresConnection) async throws
        -> Int64
    {
        let query: PostgresQuery = """
            SELECT count(*) FROM payouts.payouts
            WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID) AND NOT is_test
              AND status NOT IN ('failed', 'canceled') AND created_at >= \(unsafeSQL: Self.dayStart(timeZone))
            """
        return try await connection.query(query.prepared()).first?.decode(Int64.self, at: 0) ?? 0
    }

    /// Today's total in a currency, with this tenant's payouts in it serialized while it is checked and taken.
    func lockedDailyTotal(
        tenantID: String, livemode: Bool, currency: String, timeZone: String,
        on connection: PostgresConnection
    ) async throws -> Int64 {
        try await connection.execute("SELECT pg_advisory_xact_lock(hashtext(\(tenantID + ":daily:" + currency)))")
        return try await connection.query(
            """
            SELECT coalesce(sum(amount), 0)::bigint FROM payouts.payouts
            WHERE tenant_id = \(tenantID) AND livemode = \(livemode) AND NOT is_test AND currency = \(currency)
              AND status NOT IN ('failed', 'canceled') AND created_at >= \(unsafeSQL: Self.dayStart(timeZone))
            """
        ).first?.decode(Int64.self, at: 0) ?? 0
    }

    struct FraudSignals: Sendable {
        var lastHour: Int64 = 0
        var sharedDestination: Int64 = 0
        var recentPaid: Int64 = 0
        var largestRecent: Int64?
    }

    /// The fraud signals for a payout to `payee`: each part reads only this payee's rows through its own
    /// index (never the tenant's history).
    func fraudSignals(payee: Payee, currency: String, fingerprints: [String], on connection: PostgresConnection)
        async throws -> FraudSignals
    {
        let query: PostgresQuery = """
            SELECT v.n, d.n, h.n, h.largest FROM
              (SELECT count(*) AS n FROM payouts.payouts
               WHERE tenant_id = \(payee.tenantID) AND payee_id = \(payee.id) AND NOT is_test AND created_at > now() - interval '1 hour') v,
              (SELECT count(*) AS n FROM payouts.payees
               WHERE tenant_id = \(payee.tenantID) AND livemode = \(payee.livemode) AND id <> \(payee.id) AND status = 'active'
                 AND destination_fingerprint = ANY(\(array: fingerprints.isEmpty ? [payee.destinationFingerprint] : fingerprints))) d,
              (SELECT count(*) AS n, max(amount) AS largest FROM (
                 SELECT amount FROM payouts.payouts
                 WHERE tenant_id = \(payee.tenantID) AND payee_id = \(payee.id) AND currency = \(currency) AND status = 'processed'
                   AND NOT is_test
                 ORDER BY created_at DESC LIMIT 20) recent) h
            """
        guard let row = try await connection.query(query.prepared()).first else { return FraudSignals() }
        let (hour, shared, paid, largest) = try row.decode((Int64, Int64, Int64, Int64?).self)
        return FraudSignals(lastHour: hour, sharedDestination: shared, recentPaid: paid, largestRecent: largest)
    }

    /// The start of today in a time zone, as SQL (names are validated IANA identifiers; quotes doubled anyway).
    static func dayStart(_ timeZone: String) -> String {
        let zone = "'" + timeZone.replacingOccurrences(of: "'", with: "''") + "'"
        return "date_trunc('day', now() AT TIME ZONE \(zone)) AT TIME ZONE \(zone)"
    }

    // MARK: The queue

    /// Claims due payouts (queued and due, or scheduled and due) of active payees for a worker: marked
    /// `processing` under a lease, with the destination each pinned.
    func claimDue(batch: Int, lease: Duration, on connection: PostgresConnection) async throws -> [(
        Payout, PinnedDestination
    )] {
        let seconds = Int64(lease.components.seconds)
        // Two locked picks (FOR UPDATE is not allowed inside a UNION, but is in CTEs), each on its own index.
        let query: PostgresQuery = """
            WITH due AS (
                SELECT id FROM payouts.payouts WHERE status = 'queued' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT \(Int64(batch)) FOR UPDATE SKIP LOCKED),
            scheduled AS (
                SELECT id FROM payouts.payouts WHERE status = 'scheduled' AND scheduled_for <= now()
                ORDER BY scheduled_for LIMIT \(Int64(batch)) FOR UPDATE SKIP LOCKED)
            UPDATE payouts.payouts o SET status = 'processing', lease_until = now() + make_interval(secs => \(seconds)),
                attempts = o.attempts + 1, queued_at = coalesce(o.queued_at, now()), updated_at = now()
            FROM payouts.payees e
            WHERE o.id IN (SELECT id FROM due UNION ALL SELECT id FROM scheduled)
              AND e.id = o.payee_id AND e.tenant_id = o.tenant_id AND e.status = 'active'
            RETURNING \(unsafeSQL: Self.columns), o.destination_kind AS pinned_kind, o.destination_sealed AS pinned_sealed
            """
        return try Self.pinned(try await connection.query(query.prepared()))
    }

    @inline(never)
    static func pinned(_ rows: PostgresRows) throws -> [(Payout, PinnedDestination)] {
        try rows.map { row in
            let kind =
                PayoutDestination.Kind(rawValue: try row.decode(String.self, column: "pinned_kind")) ?? .bankAccount
            return (
                try payout(row),
                PinnedDestination(kind: kind, sealed: try row.decode(String.self, column: "pinned_sealed"))
            )
        }
    }

    /// Payouts left `processing` past their lease, taken for a lookup (the lease moves on).
    func claimExpired(batch: Int, lease: Duration, on connection: PostgresConnection) async throws -> [(
        Payout, PinnedDestination
    )] {
        let seconds = Int64(lease.components.seconds)
        let query: PostgresQuery = """
            UPDATE payouts.payouts o SET lease_until = now() + make_interval(secs => \(seconds)), updated_at = now()
            FROM payouts.payees e
            WHERE o.id IN (SELECT id FROM payouts.payouts WHERE status = 'processing' AND lease_until < now()
                           ORDER BY lease_until LIMIT \(Int64(batch)) FOR UPDATE SKIP LOCKED)
              AND e.id = o.payee_id AND e.tenant_id = o.tenant_id
            RETURNING \(unsafeSQL: Self.columns), coalesce(o.destination_kind, e.destination_kind) AS pinned_kind,
                coalesce(o.destination_sealed, e.destination_sealed) AS pinned_sealed
            """
        return try Self.pinned(try await connection.query(query.prepared()))
    }

    /// The status and attempt of each payout (locked), so a worker applies only answers to payouts still its own.
    func lockAttempts(_ ids: [String], on connection: PostgresConnection) async throws -> [String: (
        status: PayoutStatus, attempts: Int
    )] {
        var result: [String: (status: PayoutStatus, attempts: Int)] = [:]
        for row in try await connection.query(
            "SELECT id, status, attempts FROM payouts.payouts WHERE id = ANY(\(array: ids)::text[]) FOR UPDATE")
        {
            let (id, status, attempts) = try row.decode((String, String, Int32).self)
            if let status = PayoutStatus(rawValue: status) { result[id] = (status, Int(attempts)) }
        }
        return result
    }

    /// Back to `status` (the queue, as `PayoutLifecycle` decides a retry) after its lease; the next send
    /// carries the same idempotency key.
    func requeue(_ payoutID: String, tenantID: String, to status: PayoutStatus, on connection: PostgresConnection)
        async throws
    {
        try await connection.execute(
            """
            UPDATE payouts.payouts SET status = \(status.rawValue), lease_until = NULL, next_attempt_at = now(), updated_at = now()
            WHERE id = \(payoutID) AND tenant_id = \(tenantID) AND status = 'processing'
            """)
    }

    /// An unsigned provider hint: the payout's lease is cut short so the recovery loop asks the provider now.
    func cutLease(
        tenantID: String, cofferID: String?, connectorID: String, providerPayoutID: String,
        on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            UPDATE payouts.payouts SET lease_until = now() WHERE tenant_id = \(tenantID) AND status = 'processing'
              AND (id = \(cofferID ?? "") OR (connector_id = \(connectorID) AND provider_payout_id = \(providerPayoutID)))
            """)
    }

    func findByProvider(
        tenantID: String, connectorID: String, providerPayoutID: String, on connection: PostgresConnection
    ) async throws -> Payout? {
        let query: PostgresQuery = """
            SELECT \(unsafeSQL: Self.columns) FROM payouts.payouts o
            WHERE o.tenant_id = \(tenantID) AND o.connector_id = \(connectorID) AND o.provider_payout_id = \(providerPayoutID)
            FOR UPDATE
            """
        return try await connection.query(query).first.map(Self.payout)
    }

    // MARK: Across tenants (platform scope)

    /// Payouts to compare with their providers: open ones the provider accepted, and every one that
    /// changed within the lookback (oldest change first).
    func reconciliationCandidates(lookback: Duration, limit: Int, on connection: PostgresConnection) async throws -> [(
        Payout, PinnedDestination
    )] {
        let seconds = Int64(lookback.components.seconds)
        return try Self.pinned(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns), coalesce(o.destination_kind, e.destination_kind) AS pinned_kind,
                    coalesce(o.destination_sealed, e.destination_sealed) AS pinned_sealed
                FROM payouts.payouts o JOIN payouts.payees e ON e.id = o.payee_id AND e.tenant_id = o.tenant_id
                WHERE o.connector_id IS NOT NULL AND (
                    (o.status = 'processing' AND o.provider_payout_id IS NOT NULL)
                    OR (o.status IN ('processed', 'failed', 'reversed') AND o.updated_at > now() - make_interval(secs => \(seconds))))
                ORDER BY o.updated_at LIMIT \(Int64(limit))
                """))
    }

    struct Waiting: Sendable {
        let tenantID: String
        let livemode: Bool
        let kind: PayoutDestination.Kind
        let currency: String
        let amount: Int64
    }

    /// What is waiting to be sent, per tenant, mode, destination kind and currency (the balance sync).
    func waitingToBeSent(on connection: PostgresConnection) async throws -> [Waiting] {
        try await connection.query(
            """
            SELECT o.tenant_id, o.livemode, coalesce(o.destination_kind, e.destination_kind), o.currency, sum(o.amount)::bigint
            FROM payouts.payouts o JOIN payouts.payees e ON e.id = o.payee_id AND e.tenant_id = o.tenant_id
            WHERE o.status IN ('queued', 'processing', 'scheduled') AND o.provider_payout_id IS NULL
            GROUP BY 1, 2, 3, 4
            """
        ).map { row in
            let (tenantID, livemode, kind, currency, amount) = try row.decode(
                (String, Bool, String, String, Int64).self)
            return Waiting(
                tenantID: tenantID, livemode: livemode, kind: PayoutDestination.Kind(rawValue: kind) ?? .bankAccount,
                currency: currency, amount: amount)
        }
    }

    /// The modes of the given payouts (payments' livemode backfill).
    func modes(_ ids: [String], on connection: PostgresConnection) async throws -> [(String, Bool)] {
        try await connection.query("SELECT id, livemode FROM payouts.payouts WHERE id = ANY(\(array: ids))").map {
            try $0.decode((String, Bool).self)
        }
    }

    /// Payouts whose mode is not their payee's (the livemode report).
    func crossingModes(on connection: PostgresConnection) async throws -> [JSONValue] {
        try await connection.query(
            """
            SELECT o.id, o.tenant_id, o.payee_id, o.livemode, e.livemode, o.status FROM payouts.payouts o
            JOIN payouts.payees e ON e.id = o.payee_id AND e.tenant_id = o.tenant_id
            WHERE o.livemode <> e.livemode ORDER BY o.id LIMIT 10000
            """
        ).map { row -> JSONValue in
            let (id, tenant, payee, mode, payeeMode, status) = try row.decode(
                (String, String, String, Bool, Bool, String).self)
            return [
                "id": .string(id), "tenant_id": .string(tenant), "payee_id": .string(payee), "livemode": .bool(mode),
                "payee_livemode": .bool(payeeMode), "status": .string(status),
            ]
        }
    }

    /// Every payout's pinned destination (re-sealed after a master-key rotation).
    func pinnedDestinations(on connection: PostgresConnection) async throws -> [(
        id: String, tenantID: String, payeeID: String, sealed: String
    )] {
        try await connection.query(
            "SELECT id, tenant_id, payee_id, destination_sealed FROM payouts.payouts WHERE destination_sealed IS NOT NULL"
        )
        .map { try $0.decode((String, String, String, String).self) }
        .map { (id: $0.0, tenantID: $0.1, payeeID: $0.2, sealed: $0.3) }
    }

    func reseal(_ payoutID: String, from old: String, to new: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE payouts.payouts SET destination_sealed = \(new) WHERE id = \(payoutID) AND destination_sealed = \(old)
            """)
    }
}
