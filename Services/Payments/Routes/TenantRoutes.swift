import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// The tenant's own configuration and its trail: `/v1/connectors`, `/v1/settings`, `/v1/audit`.
enum TenantRoutes {
    /// What governs live money is changed only with a live key: a test key can never loosen a live limit.
    static func liveKey(_ context: RequestContext, roles: Set<APIKeyRole>, what: String) throws -> AuthenticatedKey {
        let key = try context.requireRole(roles)
        guard key.livemode else {
            throw HTTPError.forbidden("\(what): use a live key (ck_live_…).", code: "live_key_required")
        }
        return key
    }

    static func register(on v1: RouterGroup, tenants: Tenants, connectors: Connectors) {
        v1.get("/audit") { request, context in
            let key = try context.requireRole(PaymentRoutes.readers)
            let query = request.queryParameters
            let limit = try ListParameters.limit(query)
            let page = try await tenants.work.database.tenantTransaction(key.tenantID) { connection in
                try await AuditQueries.list(
                    schema: "payments", tenantID: key.tenantID, limit: limit, startingAfter: query["starting_after"],
                    on: connection)
            }
            return .json(.ok, bytes: page.body)
        }
        v1.put("/connectors/{provider}") { request, context in
            let info = RequestInfo(key: try context.requireRole(PaymentRoutes.writers), context: context)
            let name = context.parameter("provider")
            guard let provider = ProviderName(rawValue: name), provider != .standard else {
                throw HTTPError.notFound("Coffer has no provider named \(name).", param: "provider")
            }
            let body = try jsonBody(request)
            let change = try ConnectorRequest(json: body, provider: provider)
            switch try await connectors.upsert(
                tenantID: info.tenantID, provider: provider, change: change, body: body, keyLivemode: info.livemode,
                info.work)
            {
            case .applied(let connector): return .json(.ok, bytes: connector.serialized())
            case .pending(let pending): return .json(.accepted, bytes: pending.json.serialized())
            }
        }
        v1.get("/connectors/changes") { request, context in
            let key = try context.requireRole(PaymentRoutes.readers)
            let changes = try await connectors.changes(
                tenantID: key.tenantID, limit: try ListParameters.limit(request.queryParameters))
            return .json(.ok, bytes: ListParameters.page(changes.map(\.json), hasMore: false))
        }
        v1.post("/connectors/changes/{id}/approve") { request, context in
            let key = try Self.liveKey(context, roles: PaymentRoutes.approvers, what: "Live connectors move live money")
            _ = try BodyReader(request.body, allowed: [])
            let info = RequestInfo(key: key, context: context)
            return .json(
                .ok,
                bytes: try await connectors.approveChange(context.parameter("id"), tenantID: key.tenantID, info.work)
                    .serialized())
        }
        v1.get("/connectors") { _, context in
            let key = try context.requireRole(PaymentRoutes.readers)
            return .json(
                .ok,
                bytes: ListParameters.page(
                    try await connectors.list(tenantID: key.tenantID, livemode: key.livemode), hasMore: false))
        }
        v1.get("/settings") { _, context in
            let key = try context.requireRole(PaymentRoutes.readers)
            return .json(.ok, bytes: try await tenants.settings(tenantID: key.tenantID).json.serialized())
        }
        v1.patch("/settings") { request, context in
            let key = try Self.liveKey(context, roles: PaymentRoutes.writers, what: "Settings govern live money")
            let patch = try jsonBody(request)
            guard patch.objectValue != nil else {
                throw HTTPError.badRequest("The body must be a JSON merge patch object.")
            }
            switch try await tenants.proposeSettings(
                tenantID: key.tenantID, patch: patch, RequestInfo(key: key, context: context).work)
            {
            case .applied(let settings): return .json(.ok, bytes: settings.json.serialized())
            case .pending(let change): return .json(.accepted, bytes: change.json.serialized())
            }
        }
        v1.get("/settings/changes") { request, context in
            let key = try context.requireRole(PaymentRoutes.readers)
            let changes = try await tenants.settingsChanges(
                tenantID: key.tenantID, limit: try ListParameters.limit(request.queryParameters))
            return .json(.ok, bytes: ListParameters.page(changes.map(\.json), hasMore: false))
        }
        v1.post("/settings/changes/{id}/approve") { request, context in
            let key = try Self.liveKey(context, roles: PaymentRoutes.approvers, what: "Settings govern live money")
            _ = try BodyReader(request.body, allowed: [])
            let change = try await tenants.approveSettingsChange(
                context.parameter("id"), tenantID: key.tenantID,
                RequestInfo(key: key, context: context).work)
            return .json(.ok, bytes: change.json.serialized())
        }
        v1.post("/settings/changes/{id}/cancel") { request, context in
            let key = try Self.liveKey(context, roles: PaymentRoutes.approvers, what: "Settings govern live money")
            _ = try BodyReader(request.body, allowed: [])
            let change = try await tenants.cancelSettingsChange(
                context.parameter("id"), tenantID: key.tenantID,
                RequestInfo(key: key, context: context).work)
            return .json(.ok, bytes: change.json.serialized())
        }
    }

    static func jsonBody(_ request: HTTPRequest) throws(HTTPError) -> JSONValue {
        do { return try JSONValue.parse(request.body) } catch {
            throw HTTPError.badRequest("The body is not valid JSON.", code: "invalid_json")
        }
    }
}
