import Foundation
import HTTP
import Postgres
import Shared

/// Payees' balances per currency. `available` is what a new payout may take; `reserved` is held by
/// payouts not yet settled. A payout can never take `available` below zero (the UPDATE's own
/// condition, so concurrent payouts cannot race past it); only a clawback may, and later earnings
/// net the debt. Every change of what a payee is owed is journaled once per source in
/// `balance_entries` (`available + reserved` always equals the journal's sum).
struct BalanceBook: Sendable {
    /// A credit or debit from an event or an operator, applied once per (reason, source).
    /// Returns false when that source was applied before.
    @discardableResult
    func change(tenantID: String, payeeID: String, livemode: Bool, currency: String, amount: Int64, reason: String, sourceID: String,
                on connection: PostgresConnection) async throws -> Bool {
        // One statement: the balance moves only if the journal entry was new.
        let query: PostgresQuery = """
            WITH entry AS (
                INSERT INTO payouts.balance_entries (tenant_id, payee_id, livemode, currency, amount, reason, source_id)
                VALUES (\(tenantID), \(payeeID), \(livemode), \(currency), \(amount), \(reason), \(sourceID))
                ON CONFLICT (tenant_id, reason, source_id, payee_id) DO NOTHING
                RETURNING tenant_id, payee_id, livemode, currency, amount)
            INSERT INTO payouts.balances AS b (tenant_id, payee_id, livemode, currency, available)
            SELECT tenant_id, payee_id, livemode, currency, amount FROM entry
            ON CONFLICT (tenant_id, payee_id, currency) DO UPDATE SET available = b.available + excluded.available, updated_at = now()
            RETURNING 1
            """
        return try await !connection.query(query.prepared()).isEmpty
    }

    static func entry(tenantID: String, payeeID: String, livemode: Bool, currency: String, amount: Int64, reason: String,
                      sourceID: String) -> PostgresQuery {
        let query: PostgresQuery = """
            INSERT INTO payouts.balance_entries (tenant_id, payee_id, livemode, currency, amount, reason, source_id)
            VALUES (\(tenantID), \(payeeID), \(livemode), \(currency), \(amount), \(reason), \(sourceID))
            ON CONFLICT (tenant_id, reason, source_id, payee_id) DO NOTHING
            """
        return query.prepared()
    }

    enum ReserveOutcome: Sendable { case reserved, insufficient(available: Int64), noBalanceInCurrency }

    /// Moves `amount` from available to reserved, if it is there.
    func reserve(tenantID: String, payeeID: String, currency: String, amount: Int64,
                 on connection: PostgresConnection) async throws -> ReserveOutcome {
        let take: PostgresQuery = """
            UPDATE payouts.balances SET available = available - \(amount), reserved = reserved + \(amount), updated_at = now()
            WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID) AND currency = \(currency) AND available >= \(amount)
            RETURNING 1
            """
        let read: PostgresQuery = "SELECT available FROM payouts.balances WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID) AND currency = \(currency)"
        let results = try await connection.pipeline([take.prepared(), read.prepared()])
        if !results[0].isEmpty { return .reserved }
        guard let available = try results[1].first?.decode(Int64.self, at: 0) else { return .noBalanceInCurrency }
        return .insufficient(available: available)
    }

    /// A payout that will not be paid (failed, canceled): its reservation returns to available.
    static func releaseQuery(_ payout: PayoutRecord) -> PostgresQuery {
        let query: PostgresQuery = """
            UPDATE payouts.balances SET available = available + \(payout.amount), reserved = reserved - \(payout.amount), updated_at = now()
            WHERE tenant_id = \(payout.tenantID) AND payee_id = \(payout.payeeID) AND currency = \(payout.currency.code)
            """
        return query.prepared()
    }

    /// A payout paid: its reservation leaves the balance.
    static func settleQueries(_ payout: PayoutRecord) -> [PostgresQuery] {
        let query: PostgresQuery = """
            UPDATE payouts.balances SET reserved = reserved - \(payout.amount), paid_out = paid_out + \(payout.amount), updated_at = now()
            WHERE tenant_id = \(payout.tenantID) AND payee_id = \(payout.payeeID) AND currency = \(payout.currency.code)
            """
        return [query.prepared(), entry(tenantID: payout.tenantID, payeeID: payout.payeeID, livemode: payout.livemode, currency: payout.currency.code,
                                        amount: -payout.amount, reason: "payout", sourceID: payout.id)]
    }

    /// A payout Coffer had failed (its reservation released) that the provider paid after all: the
    /// money left, so it comes out of available (which may go below zero, like a clawback).
    static func lateSettleQueries(_ payout: PayoutRecord) -> [PostgresQuery] {
        let query: PostgresQuery = """
            UPDATE payouts.balances SET available = available - \(payout.amount), paid_out = paid_out + \(payout.amount), updated_at = now()
            WHERE tenant_id = \(payout.tenantID) AND payee_id = \(payout.payeeID) AND currency = \(payout.currency.code)
            """
        return [query.prepared(), entry(tenantID: payout.tenantID, payeeID: payout.payeeID, livemode: payout.livemode, currency: payout.currency.code,
                                        amount: -payout.amount, reason: "payout", sourceID: payout.id)]
    }

    /// A paid payout returned by the destination: the money is the payee's again.
    static func reversalQueries(_ payout: PayoutRecord) -> [PostgresQuery] {
        let query: PostgresQuery = """
            UPDATE payouts.balances SET available = available + \(payout.amount), paid_out = paid_out - \(payout.amount), updated_at = now()
            WHERE tenant_id = \(payout.tenantID) AND payee_id = \(payout.payeeID) AND currency = \(payout.currency.code)
            """
        return [query.prepared(), entry(tenantID: payout.tenantID, payeeID: payout.payeeID, livemode: payout.livemode, currency: payout.currency.code,
                                        amount: payout.amount, reason: "payout_reversal", sourceID: payout.id)]
    }

    static func balancesJSON(payeeID: String, tenantID: String, on connection: PostgresConnection) async throws -> [JSONValue] {
        try await connection.query("""
            SELECT currency, available, reserved, paid_out FROM payouts.balances WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID)
            ORDER BY currency
            """).map { row -> JSONValue in
            let (currency, available, reserved, paid) = try row.decode((String, Int64, Int64, Int64).self)
            return ["object": "balance", "payee_id": .string(payeeID), "currency": .string(currency), "available": .int(available),
                    "reserved": .int(reserved), "paid_out": .int(paid)]
        }
    }
}
