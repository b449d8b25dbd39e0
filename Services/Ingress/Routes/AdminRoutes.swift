import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// Operator API (bearer operator token): look into stored webhooks and attempts, and replay what
/// failed to reach its consumer. Replays are logged with the operator's name.
enum AdminRoutes {
    static let eventStatuses: Set<String> = ["pending", "delivered", "dead", "ignored"]
    static let attemptOutcomes: Set<String> = ["accepted", "duplicate", "rejected", "rate_limited", "error"]

    static func register(on admin: RouterGroup, log: WebhookEventLog, outbox: Outbox) {
        admin.get("/events") { request, _ in
            let query = request.queryParameters
            var filter = WebhookEventLog.EventFilter()
            filter.limit = try ListParameters.limit(query)
            filter.status = query["status"] ?? ""
            guard filter.status.isEmpty || eventStatuses.contains(filter.status) else {
                throw HTTPError.badRequest("status must be pending, delivered, dead or ignored.", param: "status")
            }
            filter.tenantID = try tenantFilter(query)
            if let provider = query["provider"] {
                guard ProviderName(rawValue: provider) != nil else {
                    throw HTTPError.badRequest("provider is not one Coffer knows.", param: "provider")
                }
                filter.provider = provider
            }
            if let after = query["starting_after"] {
                guard CofferID.isValid(after, prefix: .event) else {
                    throw HTTPError.badRequest(
                        "starting_after must be an evt_ id from a previous page.", code: "invalid_id",
                        param: "starting_after")
                }
                filter.startingAfter = after
            }
            let page = try await log.events(filter)
            return .json(.ok, bytes: ListParameters.page(page.events, hasMore: page.hasMore))
        }

        admin.get("/events/{id}") { _, context in
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .event), let event = try await log.event(id) else {
                throw HTTPError.notFound("No such event.", param: "id")
            }
            return .json(.ok, bytes: event.serialized())
        }

        admin.post("/events/{id}/replay") { _, context in
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .event), let replayed = try await log.replay(id) else {
                throw HTTPError.notFound("No such event.", param: "id")
            }
            guard replayed > 0 else {
                throw HTTPError.conflict(
                    "This event's type is not forwarded; there is nothing to replay.", code: "not_forwardable")
            }
            outbox.nudge()
            context.logger.notice(
                "event replayed",
                [
                    "event_id": .string(id), "deliveries": .int(Int64(replayed)),
                    "operator": .string(context.adminPrincipal?.name ?? "unknown"),
                ])
            return .json(
                .ok,
                bytes: JSONValue.object(["id": .string(id), "replayed_deliveries": .int(Int64(replayed))]).serialized())
        }

        admin.post("/dead-letters/replay") { request, context in
            let tenant = try tenantFilter(request.queryParameters)
            let replayed = try await log.replayDead(tenantID: tenant)
            outbox.nudge()
            context.logger.notice(
                "dead letters replayed",
                [
                    "deliveries": .int(Int64(replayed)), "scope_tenant": .string(tenant),
                    "operator": .string(context.adminPrincipal?.name ?? "unknown"),
                ])
            return .json(.ok, bytes: JSONValue.object(["replayed_deliveries": .int(Int64(replayed))]).serialized())
        }

        admin.get("/attempts") { request, _ in
            let query = request.queryParameters
            let outcome = query["outcome"] ?? ""
            guard outcome.isEmpty || attemptOutcomes.contains(outcome) else {
                throw HTTPError.badRequest(
                    "outcome must be one of \(attemptOutcomes.sorted().joined(separator: ", ")).", param: "outcome")
            }
            let page = try await log.attempts(
                tenantID: try tenantFilter(query), outcome: outcome, startingAfter: query["starting_after"] ?? "",
                limit: try ListParameters.limit(query))
            return .json(.ok, bytes: ListParameters.page(page.attempts, hasMore: page.hasMore))
        }
    }

    private static func tenantFilter(_ query: [String: String]) throws(HTTPError) -> String {
        guard let tenant = query["tenant_id"] else { return "" }
        guard CofferID.isValid(tenant, prefix: .tenant) else {
            throw HTTPError.badRequest("tenant_id must be a ten_ id.", code: "invalid_id", param: "tenant_id")
        }
        return tenant
    }
}
