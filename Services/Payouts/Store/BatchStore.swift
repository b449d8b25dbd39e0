import Foundation
import Postgres
import Shared

/// `payouts.payout_batches`: which payouts a batch created, with its totals.
struct BatchStore: Sendable {
    struct Row: Sendable {
        let id: String
        let tenantID: String
        let livemode: Bool
        let itemCount: Int
        let totals: JSONValue
        let payoutIDs: [String]
        let createdBy: String
        let createdAt: Date
    }

    func insert(
        id: String, tenantID: String, livemode: Bool, totals: JSONValue, payoutIDs: [String], createdBy: String,
        on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO payouts.payout_batches (id, tenant_id, livemode, item_count, totals, payout_ids, created_by)
            VALUES (\(id), \(tenantID), \(livemode), \(Int64(payoutIDs.count)), \(totals.jsonString)::jsonb, \(array: payoutIDs)::text[], \(createdBy))
            """)
    }

    func load(_ id: String, tenantID: String, on connection: PostgresConnection) async throws -> Row? {
        guard
            let row = try await connection.query(
                """
                SELECT tenant_id, livemode, item_count, totals::text, payout_ids, created_by, created_at
                FROM payouts.payout_batches WHERE id = \(id) AND tenant_id = \(tenantID)
                """
            ).first
        else { return nil }
        return try Self.row(id, row)
    }

    @inline(never)
    static func row(_ id: String, _ row: PostgresRow) throws -> Row {
        let (tenantID, livemode, count, totals, ids, createdBy, createdAt) = try row.decode(
            (String, Bool, Int32, String, [String], String, Date).self)
        return Row(
            id: id, tenantID: tenantID, livemode: livemode, itemCount: Int(count),
            totals: (try? JSONValue.parse(totals)) ?? .array([]),
            payoutIDs: ids, createdBy: createdBy, createdAt: createdAt)
    }
}
