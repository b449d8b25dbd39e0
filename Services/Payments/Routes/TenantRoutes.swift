import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// The tenant's own configuration and its trail: `/v1/connectors`, `/v1/settings`, `/v1/audit`.
enum TenantRoutes {
    static func register(on v1: RouterGroup, tenants: TenantStore, connectors: ConnectorStore, database: PostgresPool) {
        v1.get("/audit") { request, context in
            let key = try context.requireRole(PaymentRoutes.readers)
            let query = request.queryParameters
            let limit = try ListParameters.limit(query)
            let page = try await database.tenantTransaction(key.tenantID) { connection in
                try await AuditQueries.list(schema: "payments", tenantID: key.tenantID, limit: limit, startingAfter: query["starting_after"],
                                            on: connection)
            }
            return .json(.ok, bytes: page.body)
        }
        v1.put("/connectors/{provider}") { request, context in
            let key = try context.requireRole(PaymentRoutes.writers)
            let name = context.parameter("provider")
            guard let provider = ProviderName(rawValue: name), provider != .standard else {
                throw HTTPError.notFound("Coffer has no provider named \(name).", param: "provider")
            }
            let body: JSONValue
            do { body = try JSONValue.parse(request.body) } catch {
                throw HTTPError.badRequest("The body is not valid JSON.", code: "invalid_json")
            }
            let input = try ConnectorRequest(json: body, provider: provider)
            let connector = try await connectors.upsert(tenantID: key.tenantID, provider: provider, request: input, keyLivemode: key.livemode,
                                                        actor: key.actor, correlationID: context.correlationID)
            return .json(.ok, bytes: connector.serialized())
        }
        v1.get("/connectors") { _, context in
            let key = try context.requireRole(PaymentRoutes.readers)
            return .json(.ok, bytes: ListParameters.page(try await connectors.list(tenantID: key.tenantID, livemode: key.livemode), hasMore: false))
        }
        v1.get("/settings") { _, context in
            let key = try context.requireRole(PaymentRoutes.readers)
            return .json(.ok, bytes: try await tenants.settings(tenantID: key.tenantID).json.serialized())
        }
        v1.patch("/settings") { request, context in
            let key = try context.requireRole(PaymentRoutes.writers)
            let patch: JSONValue
            do { patch = try JSONValue.parse(request.body) } catch {
                throw HTTPError.badRequest("The body is not valid JSON.", code: "invalid_json")
            }
            guard patch.objectValue != nil else { throw HTTPError.badRequest("The body must be a JSON merge patch object.") }
            let updated = try await tenants.updateSettings(tenantID: key.tenantID, patch: patch, actor: key.actor,
                                                           correlationID: context.correlationID)
            return .json(.ok, bytes: updated.json.serialized())
        }
    }
}
