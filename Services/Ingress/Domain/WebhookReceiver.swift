import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// What ingress answers a provider: received (stored, or a duplicate of a stored one), or refused with
/// the status that tells the provider whether to retry. Routes turn it into the HTTP answer.
enum WebhookAnswer: Sendable, Equatable {
    case received(id: String, duplicate: Bool)
    case refused(status: HTTPStatus, code: String, message: String, retryAfter: Int?)
}

/// One webhook, start to finish: rate limits, tenant and connector lookup, verification exactly as the
/// provider signs, normalization, durable storage (group commit), and the answer. Every request,
/// rejects included, lands in the attempts log.
struct WebhookReceiver: Sendable {
    let configuration: IngressConfiguration
    let directory: ConnectorDirectory
    let verifiers: WebhookVerifiers
    let store: WebhookStore
    let routes: EventRoutes
    let outbox: Outbox
    let ipLimiter: TokenBucketLimiter
    let tenantLimiter: TokenBucketLimiter
    let metrics: IngressMetrics

    /// `arrivedAt` is the monotonic time the request's first byte arrived (for the latency histogram).
    func receive(_ request: WebhookRequest, arrivedAt: UInt64, context: RequestContext) async -> WebhookAnswer {
        let (provider, tenantID) = (request.provider, request.tenantID)
        var context = context
        context.tenantID = CofferID.isValid(tenantID, prefix: .tenant) ? tenantID : nil
        let bodyHash = Hex.encode(SHA256.hash(request.body))
        func refuse(
            _ status: HTTPStatus, _ code: String, _ message: String, outcome: String = "rejected",
            retryAfter: Int? = nil
        ) -> WebhookAnswer {
            store.record(
                AttemptRecord(
                    tenantID: context.tenantID, provider: provider.rawValue, outcome: outcome, reason: code,
                    httpStatus: status.code, sourceIP: context.clientIP, bodySize: request.body.count,
                    bodySHA256: bodyHash, correlationID: context.correlationID))
            metrics.observe(
                provider: provider.rawValue, outcome: outcome == "rejected" ? code : outcome, since: arrivedAt)
            if status.code >= 500 {
                context.logger.error(
                    "webhook not accepted", ["provider": .string(provider.rawValue), "reason": .string(code)])
            } else {
                context.logger.warning(
                    "webhook refused",
                    [
                        "provider": .string(provider.rawValue), "reason": .string(code),
                        "client_ip": .string(context.clientIP),
                    ])
            }
            return .refused(status: status, code: code, message: message, retryAfter: retryAfter)
        }

        let byIP = ipLimiter.consume(context.clientIP)
        guard byIP.allowed else {
            return refuse(
                .tooManyRequests, "rate_limited", "Too many webhooks from this address.", outcome: "rate_limited",
                retryAfter: byIP.retryAfterSeconds)
        }
        guard context.tenantID != nil else { return refuse(.notFound, "unknown_tenant", "No such tenant.") }
        let byTenant = tenantLimiter.consume(tenantID)
        guard byTenant.allowed else {
            return refuse(
                .tooManyRequests, "rate_limited", "Too many webhooks for this tenant.", outcome: "rate_limited",
                retryAfter: byTenant.retryAfterSeconds)
        }

        let tenant: ConnectorDirectory.TenantConnectors
        do {
            tenant = try await directory.tenant(tenantID)
        } catch {
            return refuse(
                .serviceUnavailable, "storage_unavailable", "Webhooks cannot be accepted right now; retry later.",
                outcome: "error", retryAfter: 5)
        }
        guard tenant.tenantStatus != nil else { return refuse(.notFound, "unknown_tenant", "No such tenant.") }
        guard tenant.tenantIsActive else { return refuse(.forbidden, "tenant_suspended", "This tenant is suspended.") }
        // Live connectors are tried first, each mode by priority.
        let candidates =
            tenant.connectors.filter { $0.provider == provider && $0.livemode }
            + tenant.connectors.filter { $0.provider == provider && !$0.livemode }

        var verified: VerifiedWebhook
        if candidates.isEmpty {
            guard !configuration.requireSignature else {
                return refuse(
                    .notFound, "unknown_connector", "This tenant has no active \(provider.rawValue) connector.")
            }
            verified = VerifiedWebhook(connector: nil, method: .unverified, needsConfirmation: true, headerEventID: nil)
        } else {
            switch await verifiers.verifier(for: provider).verify(request, connectors: candidates) {
            case .success(let result):
                verified = result
            case .failure(let rejection):
                guard !configuration.requireSignature, rejection.status == .unauthorized else {
                    return refuse(
                        rejection.status, rejection.code, rejection.message,
                        outcome: rejection.status.code >= 500 ? "error" : "rejected",
                        retryAfter: rejection.status.code >= 500 ? 30 : nil)
                }
                verified = VerifiedWebhook(
                    connector: candidates.first, method: .unverified, needsConfirmation: true,
                    headerEventID: request.headers["webhook-id"])
            }
        }
        if verified.method == .unverified {
            context.logger.warning(
                "UNVERIFIED webhook accepted (REQUIRE_WEBHOOK_SIGNATURE=false)",
                ["provider": .string(provider.rawValue)])
        }

        guard let body = try? JSONValue.parse(request.body) else {
            return refuse(.badRequest, "malformed_payload", "The body is not valid JSON.")
        }
        let normalized: NormalizedWebhook
        do {
            normalized = try WebhookNormalizers.normalizer(for: provider).normalize(
                body: body, headers: request.headers)
        } catch {
            return refuse(
                .badRequest, "malformed_payload",
                "The body does not have the provider's documented shape: \(error.message).")
        }
        guard
            let pending = makePending(
                provider: provider, tenantID: tenantID, verified: verified, normalized: normalized,
                request: request, bodyHash: bodyHash, context: context)
        else { return refuse(.badRequest, "malformed_payload", "The body has identifiers Coffer cannot store.") }

        let outcome: StoreOutcome
        do {
            outcome = try await store.store(pending)
        } catch {
            return refuse(
                .serviceUnavailable, "storage_unavailable", "Webhooks cannot be stored right now; retry later.",
                outcome: "error", retryAfter: 5)
        }
        if !outcome.duplicate, pending.subscriber != nil { outbox.nudge() }
        let result =
            outcome.duplicate ? "duplicate" : (pending.normalizedType == nil ? "stored_unforwarded" : "accepted")
        metrics.observe(provider: provider.rawValue, outcome: result, since: arrivedAt)
        // The access log line already records the request; this adds the event's identity at debug level.
        context.logger.debug(
            "webhook received",
            [
                "provider": .string(provider.rawValue), "event_id": .string(outcome.id),
                "duplicate": .bool(outcome.duplicate),
                "provider_event_type": .string(normalized.providerEventType),
                "verification": .string(verified.method.rawValue),
            ])
        return .received(id: outcome.id, duplicate: outcome.duplicate)
    }

    /// The stored row and, for forwarded types, the `provider.*` event for each subscriber.
    private func makePending(
        provider: ProviderName, tenantID: String, verified: VerifiedWebhook, normalized: NormalizedWebhook,
        request: WebhookRequest, bodyHash: String, context: RequestContext
    ) -> PendingWebhook? {
        let id = CofferID.generate(.event)
        let eventID = normalized.providerEventID ?? verified.headerEventID
        guard Self.storable(eventID), Self.storable(normalized.providerEventType) else { return nil }
        let dedupKey = eventID.map { "id:" + $0 } ?? "sha256:" + bodyHash
        let livemode = verified.connector?.livemode ?? normalized.livemode ?? false
        var normalizedJSON: String?
        var subscriber: String?
        var orderingKey: String?
        if let fact = normalized.event {
            for text in [
                fact.providerObjectID, fact.relatedProviderObjectID, fact.cofferID, fact.status, fact.failureReason,
                fact.currency,
            ]
            where !Self.storable(text) {
                return nil
            }
            let data = ProviderEventData(
                provider: provider.rawValue, providerEventID: eventID, providerEventType: normalized.providerEventType,
                objectType: fact.type.objectType, providerObjectID: fact.providerObjectID,
                relatedProviderObjectID: fact.relatedProviderObjectID, cofferID: fact.cofferID, amount: fact.amount,
                currency: fact.currency, status: fact.status, failureReason: fact.failureReason, livemode: livemode,
                needsConfirmation: verified.needsConfirmation, connectorID: verified.connector?.connectorID ?? "",
                occurredAt: fact.occurredAt ?? Date())
            // Events about one payment (its refunds and disputes too) reach a subscriber in order.
            orderingKey = provider.rawValue + ":" + (fact.relatedProviderObjectID ?? fact.providerObjectID)
            var dataWriter = JSONWriter(capacity: 512)
            data.writeJSON(into: &dataWriter)
            normalizedJSON = String(decoding: dataWriter.bytes, as: UTF8.self)
            // The envelope is assembled from the stored row when it is delivered (see IngressDelivery).
            subscriber = routes.subscribers(for: fact.type.rawValue).first?.name
        }
        return PendingWebhook(
            id: id, tenantID: tenantID, provider: provider.rawValue, dedupKey: dedupKey, providerEventID: eventID,
            providerEventType: normalized.providerEventType, normalizedType: normalized.event?.type.rawValue,
            orderingKey: orderingKey,
            verification: verified.method.rawValue, needsConfirmation: verified.needsConfirmation, livemode: livemode,
            connectorID: verified.connector?.connectorID, rawBody: request.body, bodySHA256: bodyHash,
            headersJSON: StoredHeaders.json(request.headers), normalizedJSON: normalizedJSON,
            correlationID: context.correlationID,
            sourceIP: context.clientIP, subscriber: subscriber)
    }

    /// Identifiers are kept as text: no control characters (PostgreSQL text cannot hold NUL), bounded length.
    static func storable(_ text: String?) -> Bool {
        guard let text else { return true }
        return text.utf8.count <= 512 && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}

/// Which request headers are kept with an event: what helps investigate it, never a signature or credential.
enum StoredHeaders {
    static let kept: [String] = [
        "Content-Type", "User-Agent", "X-Correlation-ID", "traceparent", "x-razorpay-event-id",
        "PAYPAL-TRANSMISSION-ID",
        "PAYPAL-TRANSMISSION-TIME", "PAYPAL-CERT-URL", "PAYPAL-AUTH-ALGO", "webhook-id", "webhook-timestamp",
    ]

    static func json(_ headers: HTTPHeaders) -> String {
        var object: [String: JSONValue] = [:]
        for name in kept {
            if let value = headers[name], WebhookReceiver.storable(value) { object[name.lowercased()] = .string(value) }
        }
        return JSONValue.object(object).jsonString
    }
}
