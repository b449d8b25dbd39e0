import Foundation
import Postgres
import Shared

/// `payments.disputes`: one row per provider dispute of a payment.
struct DisputeStore: Sendable {
    /// Records the dispute once; false when this provider dispute was recorded before.
    func insert(
        id: String, payment: Payment, providerDisputeID: String, amount: Int64, status: String, reason: String?,
        heldFromPayee: Int64,
        on connection: PostgresConnection
    ) async throws -> Bool {
        try await !connection.query(
            """
            INSERT INTO payments.disputes (id, tenant_id, payment_id, provider_dispute_id, amount, currency, status, reason, held_from_payee)
            VALUES (\(id), \(payment.tenantID), \(payment.id), \(providerDisputeID), \(amount), \(payment.currency.code),
                    \(status), \(reason), \(heldFromPayee))
            ON CONFLICT (payment_id, provider_dispute_id) DO NOTHING RETURNING id
            """
        ).isEmpty
    }
}
