import Foundation
import HTTP
import Platform
import Shared

/// Operator API (`COFFER_ADMIN_TOKEN`): tenants, their keys, master-key rotation. Every action is
/// audited with the operator's name.
enum OperatorRoutes {
    static func register(on admin: RouterGroup, tenants: TenantStore, connectors: ConnectorStore, authenticator: APIKeyAuthenticator) {
        admin.post("/tenants") { request, context in
            let reader = try BodyReader(request.body, allowed: ["name", "settings", "livemode"])
            guard let name = try reader.string("name", maxLength: 200) else {
                throw HTTPError.badRequest("name is required.", param: "name")
            }
            let settings: TenantSettings
            do {
                settings = try TenantSettings(json: TenantSettings.mergePatch(TenantSettings.defaults.json, reader.object["settings"] ?? [:]))
            } catch let error as SettingsError {
                throw HTTPError.badRequest("Invalid setting: \(error.message)", code: "invalid_setting", param: "settings." + error.param)
            }
            let livemode = reader.object["livemode"]?.boolValue ?? false
            let (tenant, key) = try await tenants.createTenant(name: name, settings: settings, keyMode: livemode, actor: actor(context),
                                                               correlationID: context.correlationID)
            guard case .object(var object) = tenant else { throw HTTPError.internalError() }
            object["api_key"] = key.json
            return .json(.created, bytes: JSONValue.object(object).serialized())
        }
        admin.post("/tenants/{id}/api-keys") { request, context in
            let tenantID = context.parameter("id")
            guard CofferID.isValid(tenantID, prefix: .tenant) else { throw HTTPError.notFound("No such tenant.", param: "id") }
            let reader = try BodyReader(request.body, allowed: ["role", "livemode"])
            let role = APIKeyRole(rawValue: try reader.string("role", maxLength: 20, allowed: Set(APIKeyRole.allCases.map(\.rawValue))) ?? "full")
                ?? .full
            let key = try await tenants.createKey(tenantID: tenantID, role: role, livemode: reader.object["livemode"]?.boolValue ?? false,
                                                  actor: actor(context), correlationID: context.correlationID)
            return .json(.created, bytes: key.json.serialized())
        }
        admin.delete("/api-keys/{id}") { _, context in
            let keyID = context.parameter("id")
            guard CofferID.isValid(keyID, prefix: .apiKey),
                  let revoked = try await tenants.revokeKey(keyID, actor: actor(context), correlationID: context.correlationID)
            else { throw HTTPError.notFound("No such API key.", param: "id") }
            authenticator.invalidate()
            return .json(.ok, bytes: revoked.serialized())
        }
        admin.post("/keys/rotate") { _, context in
            let count = try await connectors.reencryptAll(actor: actor(context), correlationID: context.correlationID)
            return .json(.ok, bytes: JSONValue.object(["object": "key_rotation", "reencrypted_connectors": .int(Int64(count)),
                                                       "key_version": .int(Int64(connectors.keyring.currentVersion))]).serialized())
        }
    }

    static func actor(_ context: RequestContext) -> String { "operator:" + (context.adminPrincipal?.name ?? "unknown") }
}
