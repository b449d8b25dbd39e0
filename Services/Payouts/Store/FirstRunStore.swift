import Foundation
import Postgres
import Shared

/// `payouts.first_runs`: a tenant's confirmation (per mode) that its first payout run may go.
struct FirstRunStore: Sendable {
    func isConfirmed(tenantID: String, livemode: Bool, on connection: PostgresConnection) async throws -> Bool {
        try await !connection.query(
            prepared: """
                SELECT 1 FROM payouts.first_runs WHERE tenant_id = \(tenantID) AND livemode = \(livemode)
                """
        ).isEmpty
    }

    func confirm(
        tenantID: String, livemode: Bool, by actor: String, totals: JSONValue, on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO payouts.first_runs (tenant_id, livemode, confirmed_at, confirmed_by, totals)
            VALUES (\(tenantID), \(livemode), now(), \(actor), \(totals.jsonString)::jsonb)
            """)
    }
}
