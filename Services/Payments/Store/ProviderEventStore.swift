import Contracts
import Foundation
import Postgres
import Shared

/// Provider events waiting for their payment or for the provider's confirmation
/// (`payments.provider_events_awaiting`), and those given up on (`payments.unmatched_provider_events`).
struct ProviderEventStore: Sendable {
    struct Parked: Sendable {
        let eventID: String
        let tenantID: String
        let type: ProviderEventType
        let data: ProviderEventData
        let reason: String
        let attempts: Int32
    }

    /// Parks an event (a hint to confirm, or news that matches nothing yet), once.
    func park(
        eventID: String, tenantID: String, type: String, data: JSONValue, reason: String,
        on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO payments.provider_events_awaiting (event_id, tenant_id, type, data, reason, next_attempt_at)
            VALUES (\(eventID), \(tenantID), \(type), \(data.jsonString)::jsonb, \(reason),
                    now() + \(reason == "unmatched" ? "2 seconds" : "0 seconds")::interval)
            ON CONFLICT (event_id) DO NOTHING
            """)
    }

    /// Claims due events with a lease (a minute), across tenants.
    func claim(limit: Int = 50, on connection: PostgresConnection) async throws -> [Parked] {
        let rows = try await connection.query(
            """
            UPDATE payments.provider_events_awaiting a SET next_attempt_at = now() + interval '60 seconds', attempts = attempts + 1
            WHERE a.event_id IN (
                SELECT event_id FROM payments.provider_events_awaiting
                WHERE resolved_at IS NULL AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
            RETURNING a.event_id, a.tenant_id, a.type, a.data::text, a.reason, a.attempts
            """)
        return Self.parked(rows)
    }

    @inline(never)
    static func parked(_ rows: PostgresRows) -> [Parked] {
        rows.compactMap { row -> Parked? in
            guard
                let (eventID, tenantID, type, dataText, reason, attempts) = try? row.decode(
                    (String, String, String, String, String, Int32).self),
                let eventType = ProviderEventType(rawValue: type),
                let data = try? JSONCoding.makeDecoder().decode(ProviderEventData.self, from: Data(dataText.utf8))
            else { return nil }
            return Parked(
                eventID: eventID, tenantID: tenantID, type: eventType, data: data, reason: reason, attempts: attempts)
        }
    }

    func resolveQuery(_ eventID: String) -> PostgresQuery {
        "UPDATE payments.provider_events_awaiting SET resolved_at = now() WHERE event_id = \(eventID)"
    }

    func reschedule(_ eventID: String, after delay: Duration, note: String?, on connection: PostgresConnection)
        async throws
    {
        try await connection.execute(
            """
            UPDATE payments.provider_events_awaiting
            SET next_attempt_at = now() + make_interval(secs => \(Int64(delay.components.seconds))), reason = coalesce(\(note), reason)
            WHERE event_id = \(eventID)
            """)
    }

    /// Gives up on an event: an operator sees it in `unmatched_provider_events`.
    func giveUp(_ eventID: String, reason: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO payments.unmatched_provider_events (event_id, tenant_id, type, data, reason)
            SELECT event_id, tenant_id, type, data, \(reason) FROM payments.provider_events_awaiting WHERE event_id = \(eventID)
            ON CONFLICT (event_id) DO NOTHING
            """)
        try await connection.execute(resolveQuery(eventID))
    }
}
