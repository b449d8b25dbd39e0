import Foundation
import Postgres
import Shared

/// Payments and refunds parked after background work failed on them repeatedly (`BackgroundFailures`):
/// listed for operators and sent back to the queue once the cause is fixed.
struct ParkedItemStore: Sendable {
    let database: PostgresPool

    func list(limit: Int) async throws -> [JSONValue] {
        try await database.platformTransaction { connection in
            try await connection.query(
                """
                SELECT * FROM (
                    SELECT 'payment' AS kind, id, tenant_id, status, background_attempts, parked_at, parked_reason FROM payments.payments
                    WHERE parked_at IS NOT NULL
                    UNION ALL
                    SELECT 'refund', id, tenant_id, status, background_attempts, parked_at, parked_reason FROM payments.refunds
                    WHERE parked_at IS NOT NULL) parked
                ORDER BY parked_at DESC LIMIT \(Int64(limit))
                """
            ).map { row -> JSONValue in
                let (kind, id, tenant, status, attempts, parkedAt, reason) = try row.decode(
                    (String, String, String, String, Int32, Date, String?).self)
                return [
                    "object": "parked_item", "kind": .string(kind), "id": .string(id), "tenant_id": .string(tenant),
                    "status": .string(status), "attempts": .int(Int64(attempts)),
                    "parked_at": .string(Timestamp.rfc3339(parkedAt)),
                    "reason": reason.map(JSONValue.string) ?? .null,
                ]
            }
        }
    }

    /// Sends a parked payment or refund back to its loops; false when no such item is parked.
    func retry(_ id: String) async throws -> Bool {
        let table = id.hasPrefix("re_") ? "refunds" : "payments"
        return try await database.platformTransaction { connection in
            try await !connection.query(
                """
                UPDATE payments.\(unsafeSQL: table) SET parked_at = NULL, parked_reason = NULL, background_attempts = 0, updated_at = now()
                WHERE id = \(id) AND parked_at IS NOT NULL RETURNING 1
                """
            ).isEmpty
        }
    }
}
