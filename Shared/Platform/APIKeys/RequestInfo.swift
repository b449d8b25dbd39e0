import HTTP
import Shared

/// Who is asking and on which request: the authenticated key, the correlation and request ids, the
/// request's logger and its idempotency claim — or a background loop acting for a tenant.
public struct RequestInfo: Sendable {
    public let key: AuthenticatedKey
    public let correlationID: String
    public let requestID: String
    public let logger: Logger
    public let claim: IdempotencyClaim?

    public init(key: AuthenticatedKey, context: RequestContext) {
        self.key = key
        correlationID = context.correlationID
        requestID = context.requestID
        logger = context.logger
        claim = context.idempotencyClaim
    }

    /// Background work (a resolver, an auto-capture) acting for a tenant, with no API key and no idempotency key.
    public init(system component: String, tenantID: String, livemode: Bool, logger: Logger) {
        key = AuthenticatedKey(
            keyID: "system:" + component, tenantID: tenantID, role: .full, livemode: livemode, rateLimitPerMinute: 0)
        correlationID = CofferID.generate(.request)
        requestID = correlationID
        self.logger = logger.with(["tenant_id": .string(tenantID), "correlation_id": .string(correlationID)])
        claim = nil
    }

    public var tenantID: String { key.tenantID }
    public var actor: String { key.actor }
    public var livemode: Bool { key.livemode }

    /// The same request as a unit of work sees it.
    public var work: WorkRequest {
        WorkRequest(tenantID: tenantID, actor: actor, correlationID: correlationID, claim: claim)
    }
}
