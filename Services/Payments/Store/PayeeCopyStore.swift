import Foundation
import Postgres
import Shared

/// Payments' copy of payees (`payments.payees`, from payouts' `payee.upserted`): who may be paid, its
/// recruiter, and its mode.
struct PayeeCopyStore: Sendable {
    /// Applies an upsert newer than the copy's; returns the mode the copy holds after it (nil: none).
    func upsert(
        id: String, tenantID: String, livemode: Bool, recruiterPayeeID: String?, status: String, version: Int64,
        on connection: PostgresConnection
    ) async throws -> Bool? {
        try await connection.query(
            """
            INSERT INTO payments.payees (id, tenant_id, livemode, recruiter_payee_id, status, version)
            VALUES (\(id), \(tenantID), \(livemode), \(recruiterPayeeID), \(status), \(version))
            ON CONFLICT (id) DO UPDATE SET recruiter_payee_id = EXCLUDED.recruiter_payee_id, status = EXCLUDED.status,
                version = EXCLUDED.version, livemode = coalesce(payments.payees.livemode, EXCLUDED.livemode)
            WHERE payments.payees.version < EXCLUDED.version AND payments.payees.tenant_id = EXCLUDED.tenant_id
            RETURNING livemode
            """
        ).first?.decode(Bool?.self, at: 0)
    }

    /// The payee's mode: nil when payments has no such payee; `.some(nil)` when it is not known yet.
    func livemode(of id: String, on connection: PostgresConnection) async throws -> Bool?? {
        guard let row = try await connection.query("SELECT livemode FROM payments.payees WHERE id = \(id)").first else {
            return nil
        }
        return .some(try row.decode(Bool?.self, at: 0))
    }
}
