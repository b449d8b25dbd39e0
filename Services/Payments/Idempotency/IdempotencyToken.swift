import HTTP
import Synchronization

/// A claimed idempotency key, passed to the handler through the request context.
final class IdempotencyToken: Sendable {
    let scope: String
    let key: String
    let tenantID: String
    /// The object an earlier attempt created (a payment, a refund) when resuming after a crash.
    let recoveryPoint: String?
    private let state = Mutex<(effectBegun: Bool, completed: Bool)>((false, false))

    init(scope: String, key: String, tenantID: String, recoveryPoint: String?) {
        self.scope = scope
        self.key = key
        self.tenantID = tenantID
        self.recoveryPoint = recoveryPoint
        if recoveryPoint != nil { state.withLock { $0.effectBegun = true } }
    }

    var effectBegun: Bool { state.withLock { $0.effectBegun } }
    var isCompleted: Bool { state.withLock { $0.completed } }
    func markEffectBegun() { state.withLock { $0.effectBegun = true } }
    func markCompleted() { state.withLock { $0.completed = true } }
}

enum IdempotencyTokenContext: RequestContextKey {
    typealias Value = IdempotencyToken
}
