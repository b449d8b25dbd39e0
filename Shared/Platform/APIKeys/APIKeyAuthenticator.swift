import Foundation
import HTTP
import Postgres
import Shared
import Synchronization

/// `Authorization: Bearer ck_…`, checked on the head before any body is read: finds the key by its
/// SHA-256 (cached for one second, so a revoked key stops working everywhere within a second; the
/// cache is a bounded LRU, so a flood of unknown keys evicts only cold entries), refuses revoked keys
/// and suspended tenants, counts failures against the caller's address (`AuthFailureLimiter`),
/// enforces the per-key rate limit from the tenant's settings, and adds `X-RateLimit-*` headers to
/// every answer.
public final class APIKeyAuthenticator: HTTPAdmission, Sendable {
    private struct Cached {
        let key: AuthenticatedKey?
        let expires: UInt64
    }

    private let database: PostgresPool
    /// Where keys and tenants are: payments owns them; every other service reads its replica.
    private let keyTable: String
    private let tenantJoin: String
    private let keyIDColumn: String
    private let limiter = TokenBucketLimiter(capacity: 100, refillPerSecond: 2)
    private let cache = Mutex(LRUCache<String, Cached>(capacity: 100_000))
    private let failures: AuthFailureLimiter?

    public enum KeySource: Sendable {
        /// The owner's tables (payments).
        case owner(schema: String)
        /// A service's `TenancyReplica`.
        case replica(schema: String)
    }

    public init(database: PostgresPool, source: KeySource, failures: AuthFailureLimiter? = nil) {
        self.database = database
        self.failures = failures
        switch source {
        case .owner(let schema):
            keyTable = schema + ".api_keys"
            tenantJoin = "JOIN \(schema).tenants t ON t.id = k.tenant_id"
            keyIDColumn = "k.id"
        case .replica(let schema):
            keyTable = schema + ".api_keys"
            tenantJoin = "JOIN \(schema).tenants t ON t.tenant_id = k.tenant_id"
            keyIDColumn = "k.key_id"
        }
    }

    public func admit(_ head: HTTPRequestHead, context: inout RequestContext) async throws {
        try failures?.checkNotLocked(context.clientIP, kind: "api_key")
        guard let token = BearerToken.extract(from: head.headers) else {
            failures?.recordFailure(context.clientIP, kind: "api_key", reason: "missing")
            throw HTTPError(
                .unauthorized, code: "missing_api_key", message: "Send your API key as `Authorization: Bearer ck_…`.",
                headers: ["WWW-Authenticate": "Bearer"])
        }
        guard APIKeyMaterial.looksValid(token), let key = try await lookup(APIKeyMaterial.hash(token)) else {
            failures?.recordFailure(context.clientIP, kind: "api_key", reason: "invalid")
            throw HTTPError(
                .unauthorized, code: "invalid_api_key", message: "The API key is not valid or has been revoked.",
                headers: ["WWW-Authenticate": "Bearer"])
        }
        let rate = max(1, key.rateLimitPerMinute)
        let decision = limiter.consume(key.keyID, capacity: rate, refillPerMinute: rate)
        let resetSeconds =
            decision.allowed ? 60 * (rate - min(rate, decision.remaining)) / rate : decision.retryAfterSeconds
        let rateHeaders: HTTPHeaders = [
            "X-RateLimit-Limit": String(rate), "X-RateLimit-Remaining": String(decision.remaining),
            "X-RateLimit-Reset": String(Int(Date().timeIntervalSince1970) + resetSeconds),
        ]
        // Every answer says so, errors included.
        for field in rateHeaders { context.responseHeaders.add(field.name, field.value) }
        guard decision.allowed else {
            throw HTTPError.tooManyRequests(
                retryAfterSeconds: decision.retryAfterSeconds,
                message: "This key sent more than \(rate) requests a minute.")
        }
        context[AuthenticatedKeyContext.self] = key
        context.tenantID = key.tenantID
        context.logger[metadataKey: "key_id"] = .string(key.keyID)
    }

    /// Nil for unknown or revoked keys and suspended tenants (misses are cached too).
    private func lookup(_ hash: String) async throws -> AuthenticatedKey? {
        let now = MonotonicClock.nanoseconds()
        if let cached = cache.withLock({ $0.value(for: hash) }), cached.expires > now { return cached.key }
        // Before the tenant is known, the lookup is the one platform-scope read on this path.
        let key = try await database.platformTransaction { connection -> AuthenticatedKey? in
            guard
                let row = try await connection.query(
                    """
                    SELECT \(unsafeSQL: keyIDColumn), k.tenant_id, k.role, k.mode, coalesce((t.settings->>'api_rate_limit_per_minute')::int, 100)
                    FROM \(unsafeSQL: keyTable) k \(unsafeSQL: tenantJoin)
                    WHERE k.key_hash = \(hash) AND k.revoked_at IS NULL AND t.status = 'active'
                    """
                ).first
            else { return nil }
            let (id, tenant, role, mode, rate) = try row.decode((String, String, String, String, Int32).self)
            return AuthenticatedKey(
                keyID: id, tenantID: tenant, role: APIKeyRole(rawValue: role) ?? .readOnly,
                livemode: mode == "live", rateLimitPerMinute: Int(rate))
        }
        cache.withLock { $0.set(Cached(key: key, expires: now &+ 1_000_000_000), for: hash) }
        return key
    }

    /// Forgets cached keys of a tenant in this process (after a revocation or suspension here).
    public func invalidate() { cache.withLock { $0.removeAll() } }
}
