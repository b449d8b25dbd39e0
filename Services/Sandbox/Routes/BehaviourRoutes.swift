import HTTP
import Shared

/// Misbehaviour on demand: `POST /_sandbox/behaviour` merges fields into a provider's behaviour (or
/// one account's, with `"account"`), `GET` shows it, `POST /_sandbox/reset` forgets objects,
/// operations, held webhooks and behaviour (and accounts with `{"accounts":true}`).
enum BehaviourRoutes {
    static func register(
        on router: Router, behaviour: BehaviourBook, accounts: AccountRegistry,
        reset: @escaping @Sendable (_ includingAccounts: Bool) async throws -> Void
    ) {
        router.post("/_sandbox/behaviour") { request, context in
            let body = try ControlBody.object(request)
            let patch = try BehaviourPatch(json: body)
            guard let name = body["provider"]?.stringValue else {
                throw HTTPError.badRequest(
                    "`provider` is required (stripe, razorpay, paypal or mtn).", param: "provider")
            }
            guard let provider = SandboxProvider(name: name) else {
                throw HTTPError.badRequest("Unknown provider \"\(name)\".", param: "provider")
            }
            var accountID: String?
            if let reference = body["account"], !reference.isNull {
                guard let text = reference.stringValue, let account = accounts.resolve(provider, reference: text) else {
                    throw HTTPError.notFound(
                        "No \(provider.rawValue) account with that id or credential.", param: "account")
                }
                accountID = account.id
            }
            behaviour.update(provider, accountID: accountID, patch: patch)
            context.logger.info(
                "behaviour changed",
                [
                    "provider": .string(provider.rawValue), "account_id": accountID.map(LogValue.string) ?? .null,
                    "patch": .string(patch.json.jsonString),
                ])
            return ControlBody.json(current(behaviour, accounts))
        }
        router.get("/_sandbox/behaviour") { _, _ in
            ControlBody.json(current(behaviour, accounts))
        }
        router.post("/_sandbox/reset") { request, context in
            let body = try ControlBody.object(request)
            let includingAccounts = body["accounts"]?.boolValue ?? false
            try await reset(includingAccounts)
            context.logger.notice("sandbox reset", ["accounts": .bool(includingAccounts)])
            return ControlBody.json(.object(["reset": true, "accounts_removed": .bool(includingAccounts)]))
        }
    }

    private static func current(_ behaviour: BehaviourBook, _ accounts: AccountRegistry) -> JSONValue {
        behaviour.json { accounts.account(id: $0)?.provider }
    }
}
