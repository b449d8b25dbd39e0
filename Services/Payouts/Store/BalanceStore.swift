import Foundation
import Postgres
import Shared

/// Payees' balances per currency (`payouts.balances`) and their journal (`payouts.balance_entries`).
/// `available` is what a new payout may take; `reserved` is held by payouts not yet settled. A payout
/// can never take `available` below zero (the UPDATE's own condition, so concurrent payouts cannot race
/// past it); only a clawback may, and later earnings net the debt. Every change of what a payee is owed
/// is journaled once per source (`available + reserved` always equals the journal's sum).
struct BalanceStore: Sendable {
    /// A credit or debit from an event or an operator, applied once per (reason, source). False when
    /// that source was applied before.
    @discardableResult
    func change(
        tenantID: String, payeeID: String, livemode: Bool, currency: String, amount: Int64, reason: String,
        sourceID: String,
        on connection: PostgresConnection
    ) async throws -> Bool {
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

    enum ReserveOutcome: Sendable { case reserved, insufficient(available: Int64), noBalanceInCurrency }

    /// Moves `amount` from available to reserved, if it is there.
    func reserve(tenantID: String, payeeID: String, currency: String, amount: Int64, on connection: PostgresConnection)
        async throws -> ReserveOutcome
    {
        let take: PostgresQuery = """
            UPDATE payouts.balances SET available = available - \(amount), reserved = reserved + \(amount), updated_at = now()
            WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID) AND currency = \(currency) AND available >= \(amount)
            RETURNING 1
            """
        let read: PostgresQuery =
            "SELECT available FROM payouts.balances WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID) AND currency = \(currency)"
        let results = try await connection.pipeline([take.prepared(), read.prepared()])
        if !results[0].isEmpty { return .reserved }
        guard let available = try results[1].first?.decode(Int64.self, at: 0) else { return .noBalanceInCurrency }
        return .insufficient(available: available)
    }

    /// What a payout's outcome does to its payee's balance, as statements (pipelined with the payout's own).
    enum Movement: Sendable {
        /// Will not be paid (failed, canceled): the reservation returns to available.
        case release
        /// Paid: the reservation leaves the balance.
        case settle
        /// Paid although its reservation had been released (failed after a timeout): out of available.
        case settleLate
        /// Paid and returned by the destination: the money is the payee's again.
        case reverse
    }

    func queries(_ movement: Movement, for payout: Payout) -> [PostgresQuery] {
        let (tenant, payee, currency, amount) = (payout.tenantID, payout.payeeID, payout.currency.code, payout.amount)
        let update: PostgresQuery =
            switch movement {
            case .release:
                """
                UPDATE payouts.balances SET available = available + \(amount), reserved = reserved - \(amount), updated_at = now()
                WHERE tenant_id = \(tenant) AND payee_id = \(payee) AND currency = \(currency)
                """
            case .settle:
                """
                UPDATE payouts.balances SET reserved = reserved - \(amount), paid_out = paid_out + \(amount), updated_at = now()
                WHERE tenant_id = \(tenant) AND payee_id = \(payee) AND currency = \(currency)
                """
            case .settleLate:
                """
                UPDATE payouts.balances SET available = available - \(amount), paid_out = paid_out + \(amount), updated_at = now()
                WHERE tenant_id = \(tenant) AND payee_id = \(payee) AND currency = \(currency)
                """
            case .reverse:
                """
                UPDATE payouts.balances SET available = available + \(amount), paid_out = paid_out - \(amount), updated_at = now()
                WHERE tenant_id = \(tenant) AND payee_id = \(payee) AND currency = \(currency)
                """
            }
        switch movement {
        case .release: return [update.prepared()]
        case .settle, .settleLate: return [update.prepared(), entry(payout, amount: -amount, reason: "payout")]
        case .reverse: return [update.prepared(), entry(payout, amount: amount, reason: "payout_reversal")]
        }
    }

    private func entry(_ payout: Payout, amount: Int64, reason: String) -> PostgresQuery {
        let query: PostgresQuery = """
            INSERT INTO payouts.balance_entries (tenant_id, payee_id, livemode, currency, amount, reason, source_id)
            VALUES (\(payout.tenantID), \(payout.payeeID), \(payout.livemode), \(payout.currency.code), \(amount), \(reason), \(payout.id))
            ON CONFLICT (tenant_id, reason, source_id, payee_id) DO NOTHING
            """
        return query.prepared()
    }

    func balances(payeeID: String, tenantID: String, on connection: PostgresConnection) async throws -> [Balance] {
        try await connection.query(
            """
            SELECT currency, available, reserved, paid_out FROM payouts.balances WHERE tenant_id = \(tenantID) AND payee_id = \(payeeID)
            ORDER BY currency
            """
        ).map { row in
            let (currency, available, reserved, paid) = try row.decode((String, Int64, Int64, Int64).self)
            return Balance(
                payeeID: payeeID, currency: currency, available: available, reserved: reserved, paidOut: paid)
        }
    }
}
