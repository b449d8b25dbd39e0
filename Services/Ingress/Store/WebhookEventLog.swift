import Foundation
import Postgres
import Shared

/// What operators read and replay of ingress's record: stored webhooks, their deliveries, and every
/// attempt (rejects included). Platform scope: the operator API spans tenants.
struct WebhookEventLog: Sendable {
    let database: PostgresPool

    struct EventFilter: Sendable {
        var tenantID = ""
        var provider = ""
        var startingAfter = ""
        var status = ""
        var limit = 10
    }

    /// Events newest first, as summaries.
    func events(_ filter: EventFilter) async throws -> (events: [JSONValue], hasMore: Bool) {
        let rows = try await database.query(
            """
            SELECT * FROM (
                SELECT e.id, e.tenant_id, e.provider, e.provider_event_id, e.provider_event_type, e.normalized_type,
                       e.verification, e.needs_confirmation, e.livemode, e.body_size, e.body_sha256, e.received_at,
                       e.correlation_id,
                       coalesce(e.delivery_status, 'ignored') AS status
                FROM ingress.webhook_events e
                WHERE (\(filter.tenantID) = '' OR e.tenant_id = \(filter.tenantID))
                  AND (\(filter.provider) = '' OR e.provider = \(filter.provider))
                  AND (\(filter.startingAfter) = '' OR e.id < \(filter.startingAfter))
                ORDER BY e.id DESC
            ) listed
            WHERE \(filter.status) = '' OR listed.status = \(filter.status)
            LIMIT \(filter.limit + 1)
            """)
        var items: [JSONValue] = []
        for row in rows.prefix(filter.limit) { items.append(try Self.eventSummary(row)) }
        return (items, rows.count > filter.limit)
    }

    /// One event with its body, headers, normalized form and delivery; nil when there is none.
    func event(_ id: String) async throws -> JSONValue? {
        guard
            let row = try await database.query(
                """
                SELECT e.id, e.tenant_id, e.provider, e.provider_event_id, e.provider_event_type, e.normalized_type,
                       e.verification, e.needs_confirmation, e.livemode, e.body_size, e.body_sha256, e.received_at,
                       e.correlation_id,
                       coalesce(e.delivery_status, 'ignored') AS status,
                       e.raw_body, e.headers::text AS headers, e.normalized::text AS normalized, e.source_ip, e.connector_id, e.body_purged_at,
                       e.delivery_subscriber, e.delivery_attempts, e.delivery_error, e.next_delivery_at, e.delivered_at
                FROM ingress.webhook_events e WHERE e.id = \(id)
                """
            ).first
        else { return nil }
        guard case .object(var object) = try Self.eventSummary(row) else { return nil }
        let rawBody = try row.decode([UInt8]?.self, column: "raw_body")
        let headers = try row.decode(String.self, column: "headers")
        let normalized = try row.decode(String?.self, column: "normalized")
        let sourceIP = try row.decode(String?.self, column: "source_ip")
        let connectorID = try row.decode(String?.self, column: "connector_id")
        let purgedAt = try row.decode(Date?.self, column: "body_purged_at")
        object["raw_body"] =
            rawBody.map { String(validating: $0, as: UTF8.self).map(JSONValue.string) ?? .null } ?? .null
        object["raw_body_base64"] = rawBody.map { .string(Base64.encode($0)) } ?? .null
        object["body_purged_at"] = purgedAt.map { .string(Timestamp.rfc3339(($0))) } ?? .null
        object["headers"] = try JSONValue.parse(headers)
        object["normalized"] = try normalized.map { try JSONValue.parse($0) } ?? .null
        object["source_ip"] = sourceIP.map(JSONValue.string) ?? .null
        object["connector_id"] = connectorID.map(JSONValue.string) ?? .null
        var deliveries: [JSONValue] = []
        let attempts = try row.decode(Int32.self, column: "delivery_attempts")
        let lastError = try row.decode(String?.self, column: "delivery_error")
        let nextAttempt = try row.decode(Date?.self, column: "next_delivery_at")
        let deliveredAt = try row.decode(Date?.self, column: "delivered_at")
        if let subscriber = try row.decode(String?.self, column: "delivery_subscriber") {
            let status = try row.decode(String.self, column: "status")
            deliveries.append([
                "subscriber": .string(subscriber), "status": .string(status), "attempts": .int(Int64(attempts)),
                "last_error": lastError.map(JSONValue.string) ?? .null,
                "next_attempt_at": status == "pending"
                    ? nextAttempt.map { .string(Timestamp.rfc3339($0)) } ?? .null : .null,
                "delivered_at": deliveredAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            ])
        }
        object["deliveries"] = .array(deliveries)
        return .object(object)
    }

    /// Sends an event to its consumer again: the number of deliveries queued, nil when there is no such event.
    func replay(_ id: String) async throws -> Int? {
        try await database.transaction { connection -> Int? in
            guard try await !connection.query("SELECT 1 FROM ingress.webhook_events WHERE id = \(id)").isEmpty else {
                return nil
            }
            return try await connection.execute(
                """
                UPDATE ingress.webhook_events SET delivery_status = 'pending', delivery_attempts = 0, next_delivery_at = now(),
                       delivery_error = NULL
                WHERE id = \(id) AND delivery_subscriber IS NOT NULL
                """)
        }
    }

    /// Queues every dead delivery again (of one tenant, or all when `tenantID` is empty).
    func replayDead(tenantID: String) async throws -> Int {
        try await database.execute(
            """
            UPDATE ingress.webhook_events SET delivery_status = 'pending', delivery_attempts = 0, next_delivery_at = now(),
                   delivery_error = NULL
            WHERE delivery_status = 'dead' AND (\(tenantID) = '' OR tenant_id = \(tenantID))
            """)
    }

    /// Attempts newest first over the union of accepted events and other attempts, keyed by (time, id).
    func attempts(tenantID: String, outcome: String, startingAfter: String, limit: Int) async throws -> (
        attempts: [JSONValue], hasMore: Bool
    ) {
        let rows = try await database.query(
            """
            SELECT attempt_id, received_at, tenant_id, provider, outcome, reason, http_status, source_ip, body_size,
                   body_sha256, correlation_id, event_id
            FROM ingress.webhook_attempts_log l
            WHERE (\(tenantID) = '' OR l.tenant_id = \(tenantID)) AND (\(outcome) = '' OR l.outcome = \(outcome))
              AND (\(startingAfter) = '' OR (l.received_at, l.attempt_id) < (
                  SELECT received_at, attempt_id FROM ingress.webhook_attempts_log WHERE attempt_id = \(startingAfter)))
            ORDER BY l.received_at DESC, l.attempt_id DESC LIMIT \(limit + 1)
            """)
        var items: [JSONValue] = []
        for row in rows.prefix(limit) {
            let (id, receivedAt, tenant, provider, outcome, reason, status, ip, size, sha, correlation, event) =
                try row.decode(
                    (String, Date, String?, String?, String, String?, Int32, String?, Int32, String?, String?, String?)
                        .self)
            items.append([
                "id": .string(id), "object": "webhook_attempt",
                "received_at": .string(Timestamp.rfc3339Milliseconds(receivedAt)),
                "tenant_id": tenant.map(JSONValue.string) ?? .null, "provider": provider.map(JSONValue.string) ?? .null,
                "outcome": .string(outcome), "reason": reason.map(JSONValue.string) ?? .null,
                "http_status": .int(Int64(status)),
                "source_ip": ip.map(JSONValue.string) ?? .null, "body_size": .int(Int64(size)),
                "body_sha256": sha.map(JSONValue.string) ?? .null,
                "correlation_id": correlation.map(JSONValue.string) ?? .null,
                "event_id": event.map(JSONValue.string) ?? .null,
            ])
        }
        return (items, rows.count > limit)
    }

    static func eventSummary(_ row: PostgresRow) throws -> JSONValue {
        let (
            id, tenant, provider, providerEventID, providerType, normalizedType, verification, needsConfirmation,
            livemode,
            size, sha, receivedAt, correlation, status
        ) =
            try row.decode(
                (
                    String, String, String, String?, String, String?, String, Bool, Bool, Int32, String, Date, String?,
                    String
                ).self, startingAt: 0)
        return [
            "id": .string(id), "object": "webhook_event", "tenant_id": .string(tenant), "provider": .string(provider),
            "provider_event_id": providerEventID.map(JSONValue.string) ?? .null,
            "provider_event_type": .string(providerType),
            "type": normalizedType.map(JSONValue.string) ?? .null, "status": .string(status),
            "verification": .string(verification),
            "needs_confirmation": .bool(needsConfirmation), "livemode": .bool(livemode), "body_size": .int(Int64(size)),
            "body_sha256": .string(sha), "received_at": .string(Timestamp.rfc3339Milliseconds(receivedAt)),
            "correlation_id": correlation.map(JSONValue.string) ?? .null,
        ]
    }
}
