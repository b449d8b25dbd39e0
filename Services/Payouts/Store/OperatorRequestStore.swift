import Foundation
import Postgres
import Shared

/// What one operator asked and a second must confirm: live credits (`payouts.credit_requests`) and
/// forced resolutions of live payouts (`payouts.force_resolutions`).
struct OperatorRequestStore: Sendable {
    struct CreditRequest: Sendable {
        let payeeID: String
        let amount: Int64
        let currency: String
        let reason: String
        let status: String
        let requestedBy: String
    }

    func insertCredit(
        id: String, tenantID: String, payeeID: String, amount: Int64, currency: String, reason: String,
        requestedBy: String,
        on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO payouts.credit_requests (id, tenant_id, payee_id, amount, currency, reason, status, requested_by)
            VALUES (\(id), \(tenantID), \(payeeID), \(amount), \(currency), \(reason), 'pending', \(requestedBy))
            """)
    }

    func creditTenant(of id: String, on connection: PostgresConnection) async throws -> String? {
        try await connection.query("SELECT tenant_id FROM payouts.credit_requests WHERE id = \(id)").first?.decode(
            String.self, at: 0)
    }

    func lockCredit(_ id: String, on connection: PostgresConnection) async throws -> CreditRequest? {
        guard
            let row = try await connection.query(
                """
                SELECT payee_id, amount, currency, reason, status, requested_by FROM payouts.credit_requests WHERE id = \(id) FOR UPDATE
                """
            ).first
        else { return nil }
        let (payee, amount, currency, reason, status, requestedBy) = try row.decode(
            (String, Int64, String, String, String, String).self)
        return CreditRequest(
            payeeID: payee, amount: amount, currency: currency, reason: reason, status: status, requestedBy: requestedBy
        )
    }

    func markCreditApplied(_ id: String, by name: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE payouts.credit_requests SET status = 'applied', approved_by = \(name), decided_at = now() WHERE id = \(id)
            """)
    }

    /// The pending forced resolution of a payout: the status asked and by whom.
    func pendingResolution(payoutID: String, on connection: PostgresConnection) async throws -> (
        status: String, requestedBy: String
    )? {
        try await connection.query(
            "SELECT status, requested_by FROM payouts.force_resolutions WHERE payout_id = \(payoutID)"
        )
        .first.map { try $0.decode((String, String).self) }.map { (status: $0.0, requestedBy: $0.1) }
    }

    func requestResolution(
        payoutID: String, tenantID: String, status: String, reason: String, requestedBy: String,
        on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO payouts.force_resolutions (payout_id, tenant_id, status, reason, requested_by)
            VALUES (\(payoutID), \(tenantID), \(status), \(reason), \(requestedBy))
            ON CONFLICT (payout_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
                requested_by = excluded.requested_by, requested_at = now()
            """)
    }

    func clearResolution(payoutID: String, on connection: PostgresConnection) async throws {
        try await connection.execute("DELETE FROM payouts.force_resolutions WHERE payout_id = \(payoutID)")
    }
}
