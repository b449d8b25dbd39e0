import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// Operator API (`COFFER_ADMIN_TOKEN`): tenants, their keys, master-key rotation. Every action is
/// audited with the operator's name.
enum OperatorRoutes {
    static func register(
        on admin: RouterGroup, tenants: Tenants, connectors: Connectors, authenticator: APIKeyAuthenticator,
        parked: ParkedItemStore, livemode: LivemodeStore
    ) {
        // An operator is the second person for a tenant's change that loosens a control.
        admin.post("/tenants/{id}/settings-changes/{change}/approve") { request, context in
            let tenantID = context.parameter("id")
            guard CofferID.isValid(tenantID, prefix: .tenant) else {
                throw HTTPError.notFound("No such tenant.", param: "id")
            }
            _ = try BodyReader(request.body, allowed: [])
            return .json(
                .ok,
                bytes: try await tenants.approveSettingsChange(
                    context.parameter("change"), tenantID: tenantID,
                    work(context, tenantID: tenantID)
                ).json.serialized())
        }
        admin.post("/tenants/{id}/connector-changes/{change}/approve") { request, context in
            let tenantID = context.parameter("id")
            guard CofferID.isValid(tenantID, prefix: .tenant) else {
                throw HTTPError.notFound("No such tenant.", param: "id")
            }
            _ = try BodyReader(request.body, allowed: [])
            return .json(
                .ok,
                bytes: try await connectors.approveChange(
                    context.parameter("change"), tenantID: tenantID,
                    work(context, tenantID: tenantID)
                ).serialized())
        }
        // Money that crossed modes before modes were checked end to end (`cofferctl livemode-report`).
        admin.get("/livemode-report") { _, _ in .json(.ok, bytes: try await livemode.report().serialized()) }
        admin.get("/parked") { request, _ in
            let items = try await parked.list(limit: try ListParameters.limit(request.queryParameters, default: 100))
            return .json(.ok, bytes: ListParameters.page(items, hasMore: false))
        }
        admin.post("/parked/{id}/retry") { _, context in
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .payment) || CofferID.isValid(id, prefix: .refund),
                try await parked.retry(id)
            else {
                throw HTTPError.notFound("No parked payment or refund with this id.", param: "id")
            }
            context.logger.notice("parked item sent back to the queue", ["object_id": .string(id)])
            return .json(
                .ok,
                bytes: JSONValue.object(["object": "parked_item", "id": .string(id), "retried": true]).serialized())
        }
        admin.post("/tenants") { request, context in
            let reader = try BodyReader(request.body, allowed: ["name", "settings", "livemode"])
            guard let name = try reader.string("name", maxLength: 200) else {
                throw HTTPError.badRequest("name is required.", param: "name")
            }
            let patch = reader.object["settings"] ?? [:]
            guard patch == .null || patch.objectValue != nil else {
                throw HTTPError.badRequest(
                    "settings must be an object (merged over the defaults).", code: "invalid_setting", param: "settings"
                )
            }
            let settings: TenantSettings
            do {
                settings = try TenantSettings(
                    json: TenantSettings.mergePatch(TenantSettings.defaults.json, patch == .null ? [:] : patch))
            } catch let error as SettingsError {
                throw HTTPError.badRequest(
                    "Invalid setting: \(error.message)", code: "invalid_setting", param: "settings." + error.param)
            }
            let livemode = try reader.bool("livemode") ?? false
            let (tenant, key) = try await tenants.createTenant(
                name: name, settings: settings, keyMode: livemode, work(context, tenantID: ""))
            guard case .object(var object) = tenant else { throw HTTPError.internalError() }
            object["api_key"] = key.json
            return .json(.created, bytes: JSONValue.object(object).serialized())
        }
        admin.get("/tenants") { request, _ in
            let query = request.queryParameters
            if let after = query["starting_after"], !CofferID.isValid(after, prefix: .tenant) {
                throw HTTPError.badRequest(
                    "starting_after must be a ten_ id from a previous page.", code: "invalid_id",
                    param: "starting_after")
            }
            let page = try await tenants.listTenants(
                limit: try ListParameters.limit(query), startingAfter: query["starting_after"])
            return .json(.ok, bytes: ListParameters.page(page.tenants, hasMore: page.hasMore))
        }
        admin.get("/tenants/{id}") { _, context in
            let tenantID = context.parameter("id")
            guard CofferID.isValid(tenantID, prefix: .tenant) else {
                throw HTTPError.notFound("No such tenant.", param: "id")
            }
            return .json(.ok, bytes: try await tenants.tenant(tenantID).serialized())
        }
        admin.post("/tenants/{id}") { request, context in
            let tenantID = context.parameter("id")
            guard CofferID.isValid(tenantID, prefix: .tenant) else {
                throw HTTPError.notFound("No such tenant.", param: "id")
            }
            let reader = try BodyReader(request.body, allowed: ["name", "status"])
            let updated = try await tenants.updateTenant(
                tenantID, name: try reader.string("name", maxLength: 200),
                status: try reader.string("status", maxLength: 20, allowed: ["active", "suspended"]),
                work(context, tenantID: tenantID))
            // A suspension takes effect here at once (elsewhere within a second, through the event).
            authenticator.invalidate()
            return .json(.ok, bytes: updated.serialized())
        }
        admin.post("/tenants/{id}/api-keys") { request, context in
            let tenantID = context.parameter("id")
            guard CofferID.isValid(tenantID, prefix: .tenant) else {
                throw HTTPError.notFound("No such tenant.", param: "id")
            }
            let reader = try BodyReader(request.body, allowed: ["role", "livemode"])
            let role =
                APIKeyRole(
                    rawValue: try reader.string(
                        "role", maxLength: 20, allowed: Set(APIKeyRole.allCases.map(\.rawValue))) ?? "full")
                ?? .full
            let key = try await tenants.createKey(
                tenantID: tenantID, role: role, livemode: try reader.bool("livemode") ?? false,
                work(context, tenantID: tenantID))
            return .json(.created, bytes: key.json.serialized())
        }
        admin.delete("/api-keys/{id}") { _, context in
            let keyID = context.parameter("id")
            guard CofferID.isValid(keyID, prefix: .apiKey),
                let revoked = try await tenants.revokeKey(
                    keyID, actor: actor(context), correlationID: context.correlationID)
            else { throw HTTPError.notFound("No such API key.", param: "id") }
            authenticator.invalidate()
            return .json(.ok, bytes: revoked.serialized())
        }
        admin.post("/keys/rotate") { _, context in
            let count = try await connectors.reencryptAll(actor: actor(context), correlationID: context.correlationID)
            return .json(
                .ok,
                bytes: JSONValue.object([
                    "object": "key_rotation", "reencrypted_connectors": .int(Int64(count)),
                    "key_version": .int(Int64(connectors.keyring.currentVersion)),
                ]).serialized())
        }
    }

    static func actor(_ context: RequestContext) -> String { "operator:" + (context.adminPrincipal?.name ?? "unknown") }

    /// An operator's request as a unit of work sees it, acting in `tenantID`'s scope.
    static func work(_ context: RequestContext, tenantID: String) -> WorkRequest {
        WorkRequest(
            tenantID: tenantID, actor: actor(context), correlationID: context.correlationID,
            claim: context.idempotencyClaim)
    }
}
