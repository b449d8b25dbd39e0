import HTTP
import Shared

/// `POST /_sandbox/accounts` registers a provider account (like configuring its dashboard);
/// `GET /_sandbox/accounts` lists them with secrets masked.
enum AccountRoutes {
    static func register(on router: Router, accounts: AccountRegistry, store: AccountStore) {
        router.post("/_sandbox/accounts") { request, context in
            let body = try ControlBody.object(request)
            let account = try SandboxAccount(registration: body) { provider, credential in
                accounts.existingID(provider: provider, credential: credential)
            }
            try await store.save(account)
            let replaced = accounts.register(account)
            context.logger.info(
                "account registered",
                [
                    "provider": .string(account.provider.rawValue), "account_id": .string(account.id),
                    "replaced": .bool(replaced),
                ])
            var json = account.publicJSON.objectValue ?? [:]
            json["replaced"] = .bool(replaced)
            return ControlBody.json(.object(json), status: replaced ? .ok : .created)
        }
        router.get("/_sandbox/accounts") { request, _ in
            let provider = request.queryParameters["provider"].flatMap(SandboxProvider.init(name:))
            let listed = accounts.all.filter { provider == nil || $0.provider == provider }
            return ControlBody.json(.object(["object": "list", "data": .array(listed.map(\.publicJSON))]))
        }
    }
}
