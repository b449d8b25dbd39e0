import Foundation
import Postgres
import Shared

/// The mode of rows written before modes were carried end to end (issue 9), and the conflicts among
/// them: money of one mode credited to a payee of the other. Reads and writes in platform scope (the
/// backfill works across tenants); nothing here moves money.
struct LivemodeStore: Sendable {
    let database: PostgresPool

    /// How much is still unknown.
    struct Unknown: Sendable, Equatable {
        var payees: Int64
        var ledgerTransactions: Int64
        var isEmpty: Bool { payees == 0 && ledgerTransactions == 0 }
    }

    func unknown() async throws -> Unknown {
        try await database.platformTransaction { connection in
            let row = try await connection.query(
                """
                SELECT (SELECT count(*) FROM payments.payees WHERE livemode IS NULL),
                       (SELECT count(*) FROM payments.ledger_transactions WHERE livemode IS NULL)
                """
            ).first
            let (payees, transactions) = try row?.decode((Int64, Int64).self) ?? (Int64(0), Int64(0))
            return Unknown(payees: payees, ledgerTransactions: transactions)
        }
    }

    /// Payees whose mode payments has not learned yet.
    func payeesWithoutMode(limit: Int = 10_000) async throws -> [String] {
        try await database.platformTransaction { connection in
            try await connection.query("SELECT id FROM payments.payees WHERE livemode IS NULL LIMIT \(Int64(limit))")
                .map {
                    try $0.decode(String.self, at: 0)
                }
        }
    }

    /// Records payees' modes (a mode once known is never changed).
    func setPayeeModes(_ modes: [String: Bool]) async throws -> Int {
        guard !modes.isEmpty else { return 0 }
        let ids = Array(modes.keys)
        return try await database.platformTransaction { connection in
            try await connection.query(
                """
                UPDATE payments.payees e SET livemode = m.livemode
                FROM unnest(\(array: ids)::text[], \(array: ids.map { modes[$0] == true ? "true" : "false" })::boolean[]) AS m(id, livemode)
                WHERE e.id = m.id AND e.livemode IS NULL RETURNING 1
                """
            ).count
        }
    }

    /// Ledger transactions that reach a payee's account take that payee's mode (payouts, their
    /// reversals, operator adjustments); returns the references still unknown (destination checks,
    /// which touch no payee account: their mode is the payout's).
    func fillLedgerFromPayees() async throws -> [String] {
        try await database.platformTransaction { connection in
            // Captures, refunds and disputes are in their payment's mode (the migration did this; a
            // database restored from before it is caught here too).
            try await connection.execute(
                """
                UPDATE payments.ledger_transactions t SET livemode = p.livemode
                FROM payments.payments p
                LEFT JOIN payments.refunds r ON r.payment_id = p.id
                LEFT JOIN payments.disputes d ON d.payment_id = p.id
                WHERE t.livemode IS NULL AND ((t.kind = 'capture' AND t.reference = p.id) OR (t.kind = 'refund' AND t.reference = r.id)
                                               OR (t.kind = 'dispute_hold' AND t.reference = d.id))
                """)
            // Payouts and operator adjustments are in their payee's mode.
            try await connection.execute(
                """
                UPDATE payments.ledger_transactions t SET livemode = m.livemode
                FROM (SELECT DISTINCT ON (en.transaction_id) en.transaction_id, e.livemode
                      FROM payments.ledger_entries en
                      JOIN payments.payees e ON en.account = 'payee_payable:' || e.id AND e.tenant_id = en.tenant_id
                      WHERE en.livemode IS NULL AND e.livemode IS NOT NULL
                      ORDER BY en.transaction_id) m
                WHERE t.id = m.transaction_id AND t.livemode IS NULL AND t.kind IN ('payout', 'payout_reversal', 'payee_adjustment')
                """)
            try await fillEntries(on: connection)
            return try await connection.query(
                """
                SELECT reference FROM payments.ledger_transactions WHERE livemode IS NULL AND kind IN ('payout', 'payout_reversal') LIMIT 5000
                """
            ).map { try $0.decode(String.self, at: 0) }
        }
    }

    /// Destination-check payouts' modes, from payouts.
    func setPayoutModes(_ modes: [String: Bool]) async throws {
        guard !modes.isEmpty else { return }
        let ids = Array(modes.keys)
        try await database.platformTransaction { connection in
            try await connection.execute(
                """
                UPDATE payments.ledger_transactions t SET livemode = m.livemode
                FROM unnest(\(array: ids)::text[], \(array: ids.map { modes[$0] == true ? "true" : "false" })::boolean[]) AS m(id, livemode)
                WHERE t.reference = m.id AND t.kind IN ('payout', 'payout_reversal') AND t.livemode IS NULL
                """)
            try await fillEntries(on: connection)
        }
    }

    private func fillEntries(on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE payments.ledger_entries e SET livemode = t.livemode FROM payments.ledger_transactions t
            WHERE e.transaction_id = t.id AND e.livemode IS NULL AND t.livemode IS NOT NULL
            """)
    }

    /// A newly found conflict, to be published to payouts once.
    struct Conflict: Sendable {
        let id: String
        let tenantID: String
        let paymentID: String
        let payeeID: String
        let paymentLivemode: Bool
        let payeeLivemode: Bool
        let currency: String
        let amount: Int64
        let sourceIDs: [String]
    }

    /// Finds payments whose payee (or the payee's recruiter, paid a bounty) is of the other mode, records
    /// each once, and returns the ones recorded now. The amount is what the payee's balance still holds
    /// of that payment: its net share less what refunds and disputes took back (the bounty, for a recruiter).
    func recordNewConflicts(on connection: PostgresConnection) async throws -> [Conflict] {
        try await connection.query(
            """
            WITH found AS (
                SELECT p.id AS payment_id, p.tenant_id, p.payee_id, 'payee' AS role, p.livemode AS payment_livemode,
                       e.livemode AS payee_livemode, p.currency, coalesce(p.payee_net, 0) - p.payee_refunded AS amount
                FROM payments.payments p JOIN payments.payees e ON e.id = p.payee_id AND e.tenant_id = p.tenant_id
                WHERE p.payee_net IS NOT NULL AND e.livemode IS NOT NULL AND e.livemode <> p.livemode
                UNION ALL
                SELECT p.id, p.tenant_id, p.recruiter_payee_id, 'recruiter', p.livemode, r.livemode, p.currency, coalesce(p.referral_bounty, 0)
                FROM payments.payments p JOIN payments.payees r ON r.id = p.recruiter_payee_id AND r.tenant_id = p.tenant_id
                WHERE p.referral_bounty > 0 AND r.livemode IS NOT NULL AND r.livemode <> p.livemode)
            INSERT INTO payments.livemode_conflicts AS c (id, tenant_id, payment_id, payee_id, role, payment_livemode, payee_livemode,
                currency, amount, source_ids)
            SELECT 'lmc_' || md5(f.payment_id || ':' || f.payee_id || ':' || f.role), f.tenant_id, f.payment_id, f.payee_id, f.role,
                   f.payment_livemode, f.payee_livemode, f.currency, f.amount,
                   ARRAY[f.payment_id] || coalesce((SELECT array_agg(r.id ORDER BY r.id) FROM payments.refunds r
                                                    WHERE r.payment_id = f.payment_id AND r.status = 'succeeded'), '{}')
                                       || coalesce((SELECT array_agg(d.id ORDER BY d.id) FROM payments.disputes d
                                                    WHERE d.payment_id = f.payment_id), '{}')
            FROM found f
            ON CONFLICT (payment_id, payee_id, role) DO NOTHING
            RETURNING c.id, c.tenant_id, c.payment_id, c.payee_id, c.payment_livemode, c.payee_livemode, c.currency, c.amount, c.source_ids
            """
        ).map { row in
            let (id, tenant, payment, payee, paymentMode, payeeMode, currency, amount, sources) =
                try row.decode((String, String, String, String, Bool, Bool, String, Int64, [String]).self)
            return Conflict(
                id: id, tenantID: tenant, paymentID: payment, payeeID: payee, paymentLivemode: paymentMode,
                payeeLivemode: payeeMode, currency: currency, amount: amount, sourceIDs: sources)
        }
    }

    /// Marks a conflict reversed (payouts reversed its money with two operators' approval).
    static func resolve(conflictID: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "UPDATE payments.livemode_conflicts SET resolved_at = now() WHERE id = \(conflictID) AND resolved_at IS NULL"
        )
    }

    /// What `cofferctl livemode-report` shows from payments: every conflict (open or reversed), every
    /// ledger transaction that posts to a payee of another mode, and what is still of unknown mode.
    func report() async throws -> JSONValue {
        let unknown = try await unknown()
        return try await database.platformTransaction { connection in
            let conflicts = try await connection.query(
                """
                SELECT id, tenant_id, payment_id, payee_id, role, payment_livemode, payee_livemode, currency, amount, source_ids,
                       detected_at, resolved_at
                FROM payments.livemode_conflicts ORDER BY detected_at, id LIMIT 10000
                """
            ).map { row -> JSONValue in
                let (
                    id, tenant, payment, payee, role, paymentMode, payeeMode, currency, amount, sources, detected,
                    resolved
                ) =
                    try row.decode(
                        (String, String, String, String, String, Bool, Bool, String, Int64, [String], Date, Date?).self)
                return [
                    "id": .string(id), "tenant_id": .string(tenant), "payment_id": .string(payment),
                    "payee_id": .string(payee),
                    "role": .string(role), "payment_livemode": .bool(paymentMode), "payee_livemode": .bool(payeeMode),
                    "currency": .string(currency), "amount": .int(amount),
                    "source_ids": .array(sources.map(JSONValue.string)),
                    "detected_at": .string(Timestamp.rfc3339(detected)),
                    "status": .string(resolved == nil ? "held" : "reversed"),
                    "resolved_at": resolved.map { .string(Timestamp.rfc3339($0)) } ?? .null,
                ]
            }
            let mixedLedger = try await connection.query(
                """
                SELECT DISTINCT t.id, t.tenant_id, t.kind, t.reference, t.livemode, e.id, e.livemode
                FROM payments.ledger_transactions t
                JOIN payments.ledger_entries en ON en.transaction_id = t.id
                JOIN payments.payees e ON en.account = 'payee_payable:' || e.id AND e.tenant_id = en.tenant_id
                WHERE t.livemode IS NOT NULL AND e.livemode IS NOT NULL AND t.livemode <> e.livemode AND t.kind <> 'payee_adjustment'
                ORDER BY t.id LIMIT 10000
                """
            ).map { row -> JSONValue in
                let (id, tenant, kind, reference, mode, payee, payeeMode) = try row.decode(
                    (String, String, String, String, Bool, String, Bool).self)
                return [
                    "id": .string(id), "tenant_id": .string(tenant), "kind": .string(kind),
                    "reference": .string(reference),
                    "livemode": .bool(mode), "payee_id": .string(payee), "payee_livemode": .bool(payeeMode),
                ]
            }
            let open = conflicts.filter { $0["status"]?.stringValue == "held" }.count
            return [
                "object": "livemode_report", "service": "payments", "clean": .bool(open == 0 && unknown.isEmpty),
                "open_conflicts": .int(Int64(open)), "payees_mode_unknown": .int(unknown.payees),
                "ledger_transactions_mode_unknown": .int(unknown.ledgerTransactions),
                "conflicts": .array(conflicts), "ledger_transactions_mixed": .array(mixedLedger),
            ]
        }
    }
}
