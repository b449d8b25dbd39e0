import Synchronization

/// Named conditions `/health/ready` reports besides the database: "migrations applied", "tenancy copy
/// loaded". A service is ready only when every check passes.
public final class ReadinessChecks: Sendable {
    public typealias Check = @Sendable () async -> Bool

    private let checks = Mutex<[(name: String, check: Check)]>([])

    public init() {}

    public func add(_ name: String, _ check: @escaping Check) {
        checks.withLock { $0.append((name, check)) }
    }

    func evaluate() async -> [(String, Bool)] {
        var results: [(String, Bool)] = []
        for (name, check) in checks.withLock({ $0 }) { results.append((name, await check())) }
        return results
    }
}
