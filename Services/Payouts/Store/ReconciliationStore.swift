import Foundation
import Postgres
import Shared

/// Reconciliation reports and the providers' balances, across tenants (operators read them).
struct ReconciliationStore: Sendable {
    func insertReport(_ report: ReconciliationReport, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO payouts.reconciliation_reports (id, started_at, finished_at, examined, matched, fixed, amount_mismatches,
                unknown_at_provider, errors, fixes)
            VALUES (\(report.id), \(report.startedAt), \(report.finishedAt), \(Int64(report.examined)), \(Int64(report.matched)),
                    \(Int64(report.fixes.count)), \(JSONValue.array(report.amountMismatches).jsonString)::jsonb,
                    \(JSONValue.array(report.unknownAtProvider).jsonString)::jsonb, \(JSONValue.array(report.errors).jsonString)::jsonb,
                    \(JSONValue.array(report.fixes).jsonString)::jsonb)
            """)
    }

    /// Reports newest first, with counts instead of the lists.
    func reports(limit: Int, on connection: PostgresConnection) async throws -> [JSONValue] {
        try await connection.query(
            """
            SELECT id, started_at, finished_at, examined, matched, fixed, jsonb_array_length(amount_mismatches),
                   jsonb_array_length(unknown_at_provider), jsonb_array_length(errors)
            FROM payouts.reconciliation_reports ORDER BY started_at DESC LIMIT \(Int64(limit))
            """
        ).map { row -> JSONValue in
            let (id, started, finished, examined, matched, fixed, mismatches, unknown, errors) =
                try row.decode((String, Date, Date, Int32, Int32, Int32, Int32, Int32, Int32).self)
            return [
                "id": .string(id), "object": "reconciliation_report", "started_at": .string(Timestamp.rfc3339(started)),
                "finished_at": .string(Timestamp.rfc3339(finished)), "examined": .int(Int64(examined)),
                "matched": .int(Int64(matched)), "fixed": .int(Int64(fixed)),
                "amount_mismatches": .int(Int64(mismatches)),
                "unknown_at_provider": .int(Int64(unknown)), "errors": .int(Int64(errors)),
            ]
        }
    }

    func report(_ id: String, on connection: PostgresConnection) async throws -> ReconciliationReport? {
        guard
            let row = try await connection.query(
                """
                SELECT id, started_at, finished_at, examined, matched, fixes::text AS fixes, amount_mismatches::text AS amount_mismatches,
                       unknown_at_provider::text AS unknown_at_provider, errors::text AS errors
                FROM payouts.reconciliation_reports WHERE id = \(id)
                """
            ).first
        else { return nil }
        return try Self.report(row)
    }

    @inline(never)  // see docs/compiler-workarounds.md
    static func report(_ row: PostgresRow) throws -> ReconciliationReport {
        func list(_ column: String) throws -> [JSONValue] {
            (try? JSONValue.parse(try row.decode(String.self, column: column)))?.arrayValue ?? []
        }
        return ReconciliationReport(
            id: try row.decode(String.self, column: "id"), startedAt: try row.decode(Date.self, column: "started_at"),
            finishedAt: try row.decode(Date.self, column: "finished_at"),
            examined: Int(try row.decode(Int32.self, column: "examined")),
            matched: Int(try row.decode(Int32.self, column: "matched")), fixes: try list("fixes"),
            amountMismatches: try list("amount_mismatches"), unknownAtProvider: try list("unknown_at_provider"),
            errors: try list("errors"))
    }

    func recordProviderBalance(
        connectorID: String, tenantID: String, currency: String, available: Int64, queued: Int64,
        on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO payouts.provider_balances (connector_id, tenant_id, currency, available, queued, recorded_at)
            VALUES (\(connectorID), \(tenantID), \(currency), \(available), \(queued), now())
            ON CONFLICT (connector_id, currency) DO UPDATE SET available = excluded.available, queued = excluded.queued, recorded_at = now()
            """)
    }

    func providerBalances(on connection: PostgresConnection) async throws -> [JSONValue] {
        try await connection.query(
            """
            SELECT connector_id, tenant_id, currency, available, queued, recorded_at FROM payouts.provider_balances
            ORDER BY tenant_id, connector_id, currency
            """
        ).map { row -> JSONValue in
            let (connector, tenant, currency, available, queued, recorded) = try row.decode(
                (String, String, String, Int64, Int64, Date).self)
            return [
                "connector_id": .string(connector), "tenant_id": .string(tenant), "currency": .string(currency),
                "available": .int(available), "queued": .int(queued), "covers_queue": .bool(available >= queued),
                "recorded_at": .string(Timestamp.rfc3339(recorded)),
            ]
        }
    }
}
