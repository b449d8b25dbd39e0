import HTTP
import Shared

/// `GET /_sandbox/webhooks` shows what was sent (held, dropped, delivered, failed),
/// `POST /_sandbox/webhooks/flush` sends held (reordered) webhooks now, and
/// `POST /_sandbox/complete/{provider}/{object_id}` plays the customer for a payment awaiting them.
enum WebhookControlRoutes {
    static func register(
        on router: Router, webhooks: WebhookDispatcher, simulators: [SandboxProvider: any ProviderSimulator]
    ) {
        router.get("/_sandbox/webhooks") { request, _ in
            let query = request.queryParameters
            var provider: SandboxProvider?
            if let name = query["provider"], !name.isEmpty {
                guard let known = SandboxProvider(name: name) else {
                    throw HTTPError.badRequest("Unknown provider \"\(name)\".", param: "provider")
                }
                provider = known
            }
            let records = webhooks.log.list(
                provider: provider, eventType: query["type"], status: query["status"], accountID: query["account_id"])
            return ControlBody.json(
                .object(["object": "list", "count": .int(Int64(records.count)), "data": .array(records.map(\.json))]))
        }
        router.post("/_sandbox/webhooks/flush") { _, _ in
            let sent = webhooks.flushHeld()
            return ControlBody.json(.object(["flushed": .int(Int64(sent))]))
        }
        router.post("/_sandbox/complete/{provider}/{object_id}") { request, context in
            let name = context.parameter("provider")
            guard let provider = SandboxProvider(name: name), let simulator = simulators[provider] else {
                throw HTTPError.notFound("Unknown provider \"\(name)\".", code: "unknown_provider")
            }
            let body = try ControlBody.object(request)
            let outcome = body["outcome"]?.stringValue ?? "succeed"
            guard ["succeed", "fail"].contains(outcome) else {
                throw HTTPError.badRequest("`outcome` must be succeed or fail.", param: "outcome")
            }
            let objectID = context.parameter("object_id")
            guard let result = simulator.completeAsCustomer(objectID, succeed: outcome == "succeed") else {
                throw HTTPError.notFound("No \(provider.rawValue) object \(objectID).")
            }
            return ControlBody.json(
                .object([
                    "provider": .string(provider.rawValue), "object_id": .string(objectID),
                    "completed": .bool(result.completed),
                    "object": result.object,
                ]))
        }
    }
}
