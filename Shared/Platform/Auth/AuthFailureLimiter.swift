import HTTP
import Shared

/// Failed authentications per client IP (API keys and operator tokens alike): each failure takes a
/// token, and an address with none left is refused with 429 before its credential is even looked at,
/// so guessing keys or tokens costs the guesser time and never costs the database a lookup per guess.
public final class AuthFailureLimiter: Sendable {
    private let buckets: TokenBucketLimiter
    private let refused: MetricFamily<Counter>
    private let failures: MetricFamily<Counter>

    /// `perMinute` failures per address, with bursts up to `burst`.
    public init(perMinute: Int, burst: Int, metrics: MetricsRegistry) {
        buckets = TokenBucketLimiter(capacity: burst, refillPerSecond: max(1, perMinute / 60), maxKeys: 100_000)
        refused = metrics.counter(
            "coffer_auth_lockouts_total",
            help: "Requests refused because their address failed authentication too often.",
            labels: ["kind"])
        failures = metrics.counter(
            "coffer_auth_failures_total", help: "Failed authentications, by kind (api_key, admin_token) and reason.",
            labels: ["kind", "reason"])
        self.perMinute = perMinute
        self.burst = burst
    }

    private let perMinute: Int
    private let burst: Int

    /// Throws 429 when `clientIP` has used up its failures.
    public func checkNotLocked(_ clientIP: String, kind: String) throws(HTTPError) {
        let decision = buckets.check(clientIP, cost: 1, now: MonotonicClock.nanoseconds())
        guard decision.allowed else {
            refused.labels([kind]).increment()
            var error = HTTPError.tooManyRequests(
                retryAfterSeconds: decision.retryAfterSeconds,
                message: "Too many failed authentications from this address; retry later.")
            error.code = "too_many_failed_attempts"
            throw error
        }
    }

    /// Records a failed authentication from `clientIP`.
    public func recordFailure(_ clientIP: String, kind: String, reason: String) {
        failures.labels([kind, reason]).increment()
        _ = buckets.consume(clientIP, cost: 1, capacity: burst, refillPerMinute: perMinute)
    }
}
