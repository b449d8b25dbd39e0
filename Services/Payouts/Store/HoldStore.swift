import Contracts
import Foundation
import Postgres
import Shared

/// `payouts.balance_holds`: balances held because money of the other mode reached them (issue 9).
struct HoldStore: Sendable {
    static let columns = """
        h.id, h.tenant_id, h.payee_id, h.livemode, h.currency, h.reason, h.conflict_id, h.source_livemode, h.amount, h.source_ids, h.status,
        h.requested_by, h.requested_reason, h.reversed_by, h.created_at
        """

    @inline(never)
    static func hold(_ row: PostgresRow) throws -> BalanceHold {
        BalanceHold(
            id: try row.decode(String.self, column: "id"), tenantID: try row.decode(String.self, column: "tenant_id"),
            payeeID: try row.decode(String.self, column: "payee_id"),
            livemode: try row.decode(Bool.self, column: "livemode"),
            currency: try row.decode(String.self, column: "currency"),
            reason: try row.decode(String.self, column: "reason"),
            conflictID: try row.decode(String.self, column: "conflict_id"),
            sourceLivemode: try row.decode(Bool.self, column: "source_livemode"),
            amount: try row.decode(Int64.self, column: "amount"),
            sourceIDs: try row.decode([String].self, column: "source_ids"),
            status: BalanceHold.Status(rawValue: try row.decode(String.self, column: "status")) ?? .held,
            requestedBy: try row.decode(String?.self, column: "requested_by"),
            requestedReason: try row.decode(String?.self, column: "requested_reason"),
            reversedBy: try row.decode(String?.self, column: "reversed_by"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }

    /// Records the hold for a conflict once (the payee row must be locked by the caller). False when it was already held.
    func insert(_ conflict: PayeeLivemodeConflict, on connection: PostgresConnection) async throws -> Bool {
        try await !connection.query(
            """
            INSERT INTO payouts.balance_holds (id, tenant_id, payee_id, livemode, currency, reason, conflict_id, source_livemode, amount,
                source_ids, status)
            SELECT \(CofferID.generate(.balanceHold)), e.tenant_id, e.id, e.livemode, \(conflict.money.currency.code), 'livemode_conflict',
                   \(conflict.conflictID), \(conflict.sourceLivemode), \(conflict.money.minorUnits), \(array: conflict.sourceIDs)::text[], 'held'
            FROM payouts.payees e WHERE e.id = \(conflict.payeeID.rawValue) AND e.tenant_id = \(conflict.tenantID.rawValue)
            ON CONFLICT (conflict_id) DO NOTHING RETURNING id
            """
        ).isEmpty
    }

    /// Whether an open hold keeps payouts from this balance.
    func isHeld(tenantID: String, payeeID: String, currency: String, on connection: PostgresConnection) async throws
        -> Bool
    {
        try await !connection.query(
            """
            SELECT 1 FROM payouts.balance_holds WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID)
              AND currency = \(currency) AND status <> 'reversed'
            """
        ).isEmpty
    }

    func tenant(of id: String, on connection: PostgresConnection) async throws -> String? {
        try await connection.query("SELECT tenant_id FROM payouts.balance_holds WHERE id = \(id)").first?.decode(
            String.self, at: 0)
    }

    func load(_ id: String, forUpdate: Bool, on connection: PostgresConnection) async throws -> BalanceHold? {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM payouts.balance_holds h WHERE h.id = \(id) \(unsafeSQL: forUpdate ? "FOR UPDATE" : "")
            """
        ).first.map(Self.hold)
    }

    func requestReversal(_ id: String, by name: String, reason: String, on connection: PostgresConnection) async throws
    {
        try await connection.execute(
            """
            UPDATE payouts.balance_holds SET status = 'reversal_requested', requested_by = \(name), requested_reason = \(reason),
                requested_at = now() WHERE id = \(id)
            """)
    }

    func markReversed(_ id: String, by name: String, reason: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE payouts.balance_holds SET status = 'reversed', reversed_by = \(name), reversed_reason = \(reason), reversed_at = now()
            WHERE id = \(id)
            """)
    }

    func list(status: String?, on connection: PostgresConnection) async throws -> [BalanceHold] {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM payouts.balance_holds h
            WHERE (\(status)::text IS NULL OR h.status = \(status)) ORDER BY h.created_at DESC, h.id DESC LIMIT 1000
            """
        ).map(Self.hold)
    }

    func all(on connection: PostgresConnection) async throws -> [BalanceHold] {
        try await connection.query(
            "SELECT \(unsafeSQL: Self.columns) FROM payouts.balance_holds h ORDER BY h.created_at, h.id"
        ).map(Self.hold)
    }

    /// The balance entries the holds cover (the livemode report).
    func coveredEntries(on connection: PostgresConnection) async throws -> [JSONValue] {
        try await connection.query(
            """
            SELECT b.id, b.tenant_id, b.payee_id, b.livemode, b.currency, b.amount, b.reason, b.source_id, h.id
            FROM payouts.balance_holds h JOIN payouts.balance_entries b
              ON b.tenant_id = h.tenant_id AND b.payee_id = h.payee_id AND b.source_id = ANY(h.source_ids)
            ORDER BY b.id
            """
        ).map { row -> JSONValue in
            let (id, tenant, payee, livemode, currency, amount, reason, source, hold) =
                try row.decode((Int64, String, String, Bool, String, Int64, String, String, String).self)
            return [
                "id": .int(id), "tenant_id": .string(tenant), "payee_id": .string(payee), "livemode": .bool(livemode),
                "currency": .string(currency), "amount": .int(amount), "reason": .string(reason),
                "source_id": .string(source),
                "hold_id": .string(hold),
            ]
        }
    }
}
