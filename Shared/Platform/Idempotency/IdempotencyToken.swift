import HTTP
import Synchronization

/// A claimed idempotency key, passed to the handler through the request context.
public final class IdempotencyToken: Sendable {
    public let scope: String
    public let key: String
    public let tenantID: String
    /// The object an earlier attempt created (a payment, a refund) when resuming after a crash.
    public let recoveryPoint: String?
    private let state = Mutex<(effectBegun: Bool, completed: Bool)>((false, false))

    public init(scope: String, key: String, tenantID: String, recoveryPoint: String?) {
        self.scope = scope
        self.key = key
        self.tenantID = tenantID
        self.recoveryPoint = recoveryPoint
        if recoveryPoint != nil { state.withLock { $0.effectBegun = true } }
    }

    public var effectBegun: Bool { state.withLock { $0.effectBegun } }
    public var isCompleted: Bool { state.withLock { $0.completed } }
    public func markEffectBegun() { state.withLock { $0.effectBegun = true } }
    public func markCompleted() { state.withLock { $0.completed = true } }
}

public enum IdempotencyTokenContext: RequestContextKey {
    public typealias Value = IdempotencyToken
}
