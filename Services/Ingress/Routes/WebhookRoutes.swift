import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// `POST /webhooks/{provider}/{tenant_id}` (MTN also PUT), the secret-path variant
/// `…/{callback_token}` for providers that sign nothing, and the gateway-agnostic
/// `POST /webhooks/payments?tenant=…`, which recognises the provider from its signature headers.
enum WebhookRoutes {
    static func register(on router: Router, receiver: WebhookReceiver, store: WebhookStore, maxBodyBytes: Int) {
        let handler: RouteHandler = { request, context in
            guard let provider = ProviderName(rawValue: context.parameter("provider")) else {
                store.record(
                    AttemptRecord(
                        tenantID: nil, provider: nil, outcome: "rejected", reason: "unknown_provider", httpStatus: 404,
                        sourceIP: context.clientIP, bodySize: request.body.count, bodySHA256: nil,
                        correlationID: context.correlationID))
                throw HTTPError.notFound("No such provider.", code: "unknown_provider", param: "provider")
            }
            if request.method == .PUT, provider != .mtn {
                store.record(
                    AttemptRecord(
                        tenantID: nil, provider: provider.rawValue, outcome: "rejected", reason: "method_not_allowed",
                        httpStatus: 405, sourceIP: context.clientIP, bodySize: request.body.count, bodySHA256: nil,
                        correlationID: context.correlationID))
                throw HTTPError(
                    .methodNotAllowed, code: "method_not_allowed", message: "Only MTN callbacks use PUT.",
                    headers: ["Allow": "POST"])
            }
            return await answer(
                receiver, provider: provider, tenantID: context.parameter("tenant_id"),
                callbackToken: context.parameters["callback_token"], request: request, context: context)
        }
        router.post("/webhooks/{provider}/{tenant_id}", bodyLimit: maxBodyBytes, handler)
        router.put("/webhooks/{provider}/{tenant_id}", bodyLimit: maxBodyBytes, handler)
        router.post("/webhooks/{provider}/{tenant_id}/{callback_token}", bodyLimit: maxBodyBytes, handler)
        router.put("/webhooks/{provider}/{tenant_id}/{callback_token}", bodyLimit: maxBodyBytes, handler)
        router.post("/webhooks/payments", bodyLimit: maxBodyBytes) { request, context in
            guard let tenant = request.queryParameters["tenant"], !tenant.isEmpty else {
                throw HTTPError.badRequest(
                    "The tenant query parameter is required.", code: "parameter_missing", param: "tenant")
            }
            guard let provider = ProviderDetector.detect(request.headers) else {
                store.record(
                    AttemptRecord(
                        tenantID: CofferID.isValid(tenant, prefix: .tenant) ? tenant : nil, provider: nil,
                        outcome: "rejected", reason: "unrecognized_provider", httpStatus: 400,
                        sourceIP: context.clientIP, bodySize: request.body.count, bodySHA256: nil,
                        correlationID: context.correlationID))
                throw HTTPError.badRequest(
                    "No provider's signature headers were found; use /webhooks/{provider}/{tenant_id}.",
                    code: "unrecognized_provider")
            }
            return await answer(
                receiver, provider: provider, tenantID: tenant, callbackToken: nil, request: request, context: context)
        }
        // Requests the server refused before a handler ran (oversized bodies, slow senders) are attempts too.
        router.onRefused = { refusal, route, parameters in
            guard let route, route.hasPrefix("/webhooks/") else { return }
            let tenant = parameters["tenant_id"].flatMap { CofferID.isValid($0, prefix: .tenant) ? $0 : nil }
            store.record(
                AttemptRecord(
                    tenantID: tenant, provider: parameters["provider"].flatMap { ProviderName(rawValue: $0)?.rawValue },
                    outcome: "rejected", reason: refusal.code, httpStatus: refusal.status.code,
                    sourceIP: refusal.peerAddress, bodySize: refusal.receivedBytes, bodySHA256: nil,
                    correlationID: refusal.head?.headers["X-Correlation-ID"] ?? ""))
        }
    }

    /// Hands the request to the receiver and writes its answer: `{"received":true,"id":…,"duplicate":…}`
    /// once the event is durable, or the refusal with `Retry-After` when the provider should come back.
    private static func answer(
        _ receiver: WebhookReceiver, provider: ProviderName, tenantID: String, callbackToken: String?,
        request: HTTPRequest, context: RequestContext
    ) async -> HTTPResponse {
        let webhook = WebhookRequest(
            provider: provider, tenantID: tenantID, callbackToken: callbackToken, method: request.method,
            target: request.head.target, headers: request.headers, body: request.body, receivedAt: Date())
        switch await receiver.receive(webhook, arrivedAt: request.receivedAt, context: context) {
        case .received(let id, let duplicate):
            var writer = JSONWriter(capacity: 80)
            writer.raw("{\"received\":true,\"id\":")
            writer.string(id)
            writer.raw(",\"duplicate\":")
            writer.bool(duplicate)
            writer.raw("}")
            return .json(.ok, bytes: writer.bytes)
        case .refused(let status, let code, let message, let retryAfter):
            var response = ErrorBody.response(
                status: status, code: code, message: message, requestID: context.requestID)
            if let retryAfter { response.headers.add("Retry-After", String(retryAfter)) }
            return response
        }
    }
}
