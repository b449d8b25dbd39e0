import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// Operator API (bearer operator token): look into stored webhooks and attempts, and replay what
/// failed to reach its consumer. Replays are logged with the operator's name.
enum AdminRoutes {
    static func register(on router: Router, runtime: ServiceRuntime, outbox: Outbox) {
        let admin = router.group("/admin", admission: [runtime.adminAuthentication])
        let database = runtime.database

        admin.get("/events") { request, _ in
            let query = request.queryParameters
            let limit = try ListParameters.limit(query)
            let status = query["status"] ?? ""
            guard ["", "pending", "delivered", "dead", "ignored"].contains(status) else {
                throw HTTPError.badRequest("status must be pending, delivered, dead or ignored.", param: "status")
            }
            let rows = try await database.query("""
                SELECT * FROM (
                    SELECT e.id, e.tenant_id, e.provider, e.provider_event_id, e.provider_event_type, e.normalized_type,
                           e.verification, e.needs_confirmation, e.livemode, e.body_size, e.body_sha256, e.received_at,
                           e.correlation_id,
                           coalesce(e.delivery_status, 'ignored') AS status
                    FROM ingress.webhook_events e
                    WHERE (\(query["tenant_id"] ?? "") = '' OR e.tenant_id = \(query["tenant_id"] ?? ""))
                      AND (\(query["provider"] ?? "") = '' OR e.provider = \(query["provider"] ?? ""))
                      AND (\(query["starting_after"] ?? "") = '' OR e.id < \(query["starting_after"] ?? ""))
                    ORDER BY e.id DESC
                ) listed
                WHERE \(status) = '' OR listed.status = \(status)
                LIMIT \(limit + 1)
                """)
            var items: [JSONValue] = []
            for row in rows.prefix(limit) { items.append(try eventSummary(row)) }
            return .json(.ok, bytes: ListParameters.page(items, hasMore: rows.count > limit))
        }

        admin.get("/events/{id}") { _, context in
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .event),
                  let row = try await database.query("""
                      SELECT e.id, e.tenant_id, e.provider, e.provider_event_id, e.provider_event_type, e.normalized_type,
                             e.verification, e.needs_confirmation, e.livemode, e.body_size, e.body_sha256, e.received_at,
                             e.correlation_id,
                             coalesce(e.delivery_status, 'ignored'),
                             e.raw_body, e.headers::text, e.normalized::text, e.source_ip, e.connector_id, e.body_purged_at,
                             e.delivery_subscriber, e.delivery_attempts, e.delivery_error, e.next_delivery_at, e.delivered_at
                      FROM ingress.webhook_events e WHERE e.id = \(id)
                      """).first
            else { throw HTTPError.notFound("No such event.", param: "id") }
            guard case .object(var object) = try eventSummary(row) else { throw HTTPError.internalError() }
            let rawBody = try row.decode([UInt8]?.self, at: 14)
            let headers = try row.decode(String.self, at: 15)
            let normalized = try row.decode(String?.self, at: 16)
            let sourceIP = try row.decode(String?.self, at: 17)
            let connectorID = try row.decode(String?.self, at: 18)
            let purgedAt = try row.decode(Date?.self, at: 19)
            object["raw_body"] = rawBody.map { String(validating: $0, as: UTF8.self).map(JSONValue.string) ?? .null } ?? .null
            object["raw_body_base64"] = rawBody.map { .string(Base64.encode($0)) } ?? .null
            object["body_purged_at"] = purgedAt.map { .string(Timestamp.rfc3339(($0))) } ?? .null
            object["headers"] = try JSONValue.parse(headers)
            object["normalized"] = try normalized.map { try JSONValue.parse($0) } ?? .null
            object["source_ip"] = sourceIP.map(JSONValue.string) ?? .null
            object["connector_id"] = connectorID.map(JSONValue.string) ?? .null
            var deliveries: [JSONValue] = []
            let (subscriber, attempts, lastError, nextAttempt, deliveredAt) =
                try row.decode((String?, Int32, String?, Date?, Date?).self, startingAt: 20)
            if let subscriber {
                let status = try row.decode(String.self, at: 13)
                deliveries.append([
                    "subscriber": .string(subscriber), "status": .string(status), "attempts": .int(Int64(attempts)),
                    "last_error": lastError.map(JSONValue.string) ?? .null,
                    "next_attempt_at": status == "pending" ? nextAttempt.map { .string(Timestamp.rfc3339($0)) } ?? .null : .null,
                    "delivered_at": deliveredAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
                ])
            }
            object["deliveries"] = .array(deliveries)
            return .json(.ok, bytes: JSONValue.object(object).serialized())
        }

        admin.post("/events/{id}/replay") { _, context in
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .event),
                  try await !database.query("SELECT 1 FROM ingress.webhook_events WHERE id = \(id)").isEmpty
            else { throw HTTPError.notFound("No such event.", param: "id") }
            let replayed = try await database.execute("""
                UPDATE ingress.webhook_events SET delivery_status = 'pending', delivery_attempts = 0, next_delivery_at = now(),
                       delivery_error = NULL
                WHERE id = \(id) AND delivery_subscriber IS NOT NULL
                """)
            guard replayed > 0 else {
                throw HTTPError.conflict("This event's type is not forwarded; there is nothing to replay.", code: "not_forwardable")
            }
            outbox.nudge()
            context.logger.notice("event replayed", ["event_id": .string(id), "deliveries": .int(Int64(replayed))])
            return .json(.ok, bytes: JSONValue.object(["id": .string(id), "replayed_deliveries": .int(Int64(replayed))]).serialized())
        }

        admin.post("/dead-letters/replay") { request, context in
            let tenant = request.queryParameters["tenant_id"] ?? ""
            let replayed = try await database.execute("""
                UPDATE ingress.webhook_events SET delivery_status = 'pending', delivery_attempts = 0, next_delivery_at = now(),
                       delivery_error = NULL
                WHERE delivery_status = 'dead' AND (\(tenant) = '' OR tenant_id = \(tenant))
                """)
            outbox.nudge()
            context.logger.notice("dead letters replayed", ["deliveries": .int(Int64(replayed)), "scope_tenant": .string(tenant)])
            return .json(.ok, bytes: JSONValue.object(["replayed_deliveries": .int(Int64(replayed))]).serialized())
        }

        admin.get("/attempts") { request, _ in
            let query = request.queryParameters
            let limit = try ListParameters.limit(query)
            let tenant = query["tenant_id"] ?? ""
            let outcome = query["outcome"] ?? ""
            let after = query["starting_after"] ?? ""
            // Newest first over the union of accepted events and other attempts, keyed by (time, id).
            let rows = try await database.query("""
                SELECT attempt_id, received_at, tenant_id, provider, outcome, reason, http_status, source_ip, body_size,
                       body_sha256, correlation_id, event_id
                FROM ingress.webhook_attempts_log l
                WHERE (\(tenant) = '' OR l.tenant_id = \(tenant)) AND (\(outcome) = '' OR l.outcome = \(outcome))
                  AND (\(after) = '' OR (l.received_at, l.attempt_id) < (
                      SELECT received_at, attempt_id FROM ingress.webhook_attempts_log WHERE attempt_id = \(after)))
                ORDER BY l.received_at DESC, l.attempt_id DESC LIMIT \(limit + 1)
                """)
            var items: [JSONValue] = []
            for row in rows.prefix(limit) {
                let (id, receivedAt, tenant, provider, outcome, reason, status, ip, size, sha, correlation, event) =
                    try row.decode((String, Date, String?, String?, String, String?, Int32, String?, Int32, String?, String?, String?).self)
                items.append([
                    "id": .string(id), "object": "webhook_attempt", "received_at": .string(Timestamp.rfc3339Milliseconds(receivedAt)),
                    "tenant_id": tenant.map(JSONValue.string) ?? .null, "provider": provider.map(JSONValue.string) ?? .null,
                    "outcome": .string(outcome), "reason": reason.map(JSONValue.string) ?? .null, "http_status": .int(Int64(status)),
                    "source_ip": ip.map(JSONValue.string) ?? .null, "body_size": .int(Int64(size)),
                    "body_sha256": sha.map(JSONValue.string) ?? .null, "correlation_id": correlation.map(JSONValue.string) ?? .null,
                    "event_id": event.map(JSONValue.string) ?? .null,
                ])
            }
            return .json(.ok, bytes: ListParameters.page(items, hasMore: rows.count > limit))
        }
    }

    static func eventSummary(_ row: PostgresRow) throws -> JSONValue {
        let (id, tenant, provider, providerEventID, providerType, normalizedType, verification, needsConfirmation, livemode,
             size, sha, receivedAt, correlation, status) =
            try row.decode((String, String, String, String?, String, String?, String, Bool, Bool, Int32, String, Date, String?, String).self, startingAt: 0)
        return [
            "id": .string(id), "object": "webhook_event", "tenant_id": .string(tenant), "provider": .string(provider),
            "provider_event_id": providerEventID.map(JSONValue.string) ?? .null, "provider_event_type": .string(providerType),
            "type": normalizedType.map(JSONValue.string) ?? .null, "status": .string(status), "verification": .string(verification),
            "needs_confirmation": .bool(needsConfirmation), "livemode": .bool(livemode), "body_size": .int(Int64(size)),
            "body_sha256": .string(sha), "received_at": .string(Timestamp.rfc3339Milliseconds(receivedAt)),
            "correlation_id": correlation.map(JSONValue.string) ?? .null,
        ]
    }
}
