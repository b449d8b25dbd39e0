import Foundation
import Postgres
import Shared

/// The double-entry journal (`payments.ledger_transactions`, `payments.ledger_entries`). A posting is
/// recorded at most once per (kind, reference), so a redelivered event posts nothing twice; the database
/// refuses an unbalanced transaction at commit; every row carries its mode (test money never reaches the
/// live books).
struct LedgerStore: Sendable {
    /// The statements of a posting, for a unit of work's final round trip: the transaction row (skipped
    /// when this (kind, reference) was posted before) and its entries, inserted only if that row was —
    /// so a repeated posting adds nothing. Empty when the lines net to nothing.
    func postQueries(_ posting: LedgerPosting) -> [PostgresQuery] {
        let netted = posting.netted
        guard !netted.isEmpty else { return [] }
        let transactionID = CofferID.generate(.ledgerEntry)
        let transaction: PostgresQuery = """
            INSERT INTO payments.ledger_transactions (id, tenant_id, livemode, kind, reference)
            VALUES (\(transactionID), \(posting.tenantID), \(posting.livemode), \(posting.kind), \(posting.reference))
            ON CONFLICT (tenant_id, kind, reference) DO NOTHING
            """
        let entries: PostgresQuery = """
            INSERT INTO payments.ledger_entries (transaction_id, tenant_id, livemode, account, currency, amount)
            SELECT \(transactionID), \(posting.tenantID), \(posting.livemode), a, \(posting.currency), n
            FROM unnest(\(array: netted.map(\.account))::text[], \(array: netted.map(\.amount))::bigint[]) AS x(a, n)
            WHERE EXISTS (SELECT 1 FROM payments.ledger_transactions WHERE id = \(transactionID))
            """
        return [transaction.prepared(), entries.prepared()]
    }
}
