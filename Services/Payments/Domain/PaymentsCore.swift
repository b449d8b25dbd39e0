import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// What the payment and refund flows share: storage, the provider gateway, the effects writers.
struct PaymentsCore: Sendable {
    let database: PostgresPool
    let gateway: ProviderGateway
    let connectors: ConnectorStore
    let idempotency: IdempotencyStore
    let outbox: Outbox
    let audit: AuditLog
    let logger: Logger

    var paymentEffects: PaymentEffects { PaymentEffects(outbox: outbox) }
    var refundEffects: RefundEffects { RefundEffects(outbox: outbox) }

    /// The connector a payment was made through, opened (it may since have been disabled: calls about
    /// existing payments still go through it).
    func connector(for payment: PaymentRecord) async throws -> ProviderConnector? {
        guard let connectorID = payment.connectorID else { return nil }
        if let active = try await connectors.active(tenantID: payment.tenantID, livemode: payment.livemode)
            .first(where: { $0.connectorID == connectorID }) {
            return active
        }
        return try await connectors.any(connectorID: connectorID, tenantID: payment.tenantID)
    }
}

/// Who is asking and on which request.
struct RequestInfo: Sendable {
    let key: AuthenticatedKey
    let correlationID: String
    let requestID: String
    let logger: Logger
    let token: IdempotencyToken?

    init(key: AuthenticatedKey, context: RequestContext) {
        self.key = key
        correlationID = context.correlationID
        requestID = context.requestID
        logger = context.logger
        token = context[IdempotencyTokenContext.self]
    }

    /// Background work (the resolver) acting for a tenant, with no API key and no idempotency key.
    init(system component: String, tenantID: String, livemode: Bool, logger: Logger) {
        key = AuthenticatedKey(keyID: "system:" + component, tenantID: tenantID, role: .full, livemode: livemode, rateLimitPerMinute: 0)
        correlationID = CofferID.generate(.request)
        requestID = correlationID
        self.logger = logger.with(["tenant_id": .string(tenantID), "correlation_id": .string(correlationID)])
        token = nil
    }

    var tenantID: String { key.tenantID }
    var actor: String { key.actor }
}

/// How a provider's refusal reads to the API caller. Errors that mean "outcome unknown" are not here:
/// those leave the object pending and resolve in the background.
enum ProviderRefusal {
    static func response(_ error: ProviderError, objectID: String, requestID: String) -> HTTPResponse {
        let (status, code, message): (HTTPStatus, String, String) = switch error.kind {
        case .declined: (402, "payment_declined", "The provider declined \(objectID): \(error.message)")
        case .invalidRequest: (400, "provider_invalid_request", "The provider refused the request for \(objectID): \(error.message)")
        case .authentication: (502, "provider_authentication_failed",
                               "The provider refused the connector's credentials; check the connector (\(objectID) was not processed).")
        case .rateLimited, .unavailable, .timeout: (503, "provider_unavailable", "The provider is unavailable: \(error.message)")
        }
        return ErrorBody.response(status: status, code: code, message: message, requestID: requestID)
    }

    /// Whether the call certainly did not complete and the object should be marked failed.
    static func isFinal(_ error: ProviderError) -> Bool {
        error.kind == .declined || error.kind == .invalidRequest || error.kind == .authentication
    }
}
