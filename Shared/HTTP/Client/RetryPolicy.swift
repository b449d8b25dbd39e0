/// Exponential backoff with full jitter for idempotent calls: attempt n waits a random time in
/// [0, min(maxDelay, baseDelay × 2ⁿ)], so many clients retrying at once do not stampede.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Statuses that mean "try again later".
    public var retryableStatuses: Set<Int>

    public init(
        maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5),
        retryableStatuses: Set<Int> = [408, 429, 502, 503, 504]
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryableStatuses = retryableStatuses
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let ceiling = Self.backoffCeiling(base: baseDelay, attempt: attempt, cap: maxDelay)
        let nanos = MonotonicClock.nanoseconds(ceiling)
        guard nanos > 0 else { return .zero }
        return .nanoseconds(Int64(UInt64.random(in: 0...nanos)))
    }

    /// min(cap, base × 2^(attempt−1)) without overflow.
    public static func backoffCeiling(base: Duration, attempt: Int, cap: Duration) -> Duration {
        var ceiling = base
        for _ in 1..<max(1, attempt) {
            ceiling = ceiling * 2
            if ceiling >= cap { return cap }
        }
        return min(ceiling, cap)
    }

    /// Half fixed, half jitter, for queued work (outbox deliveries, payout retries): a random wait in
    /// [ceiling / 2, ceiling], which spreads retries without ever retrying at once.
    public static func spreadDelay(base: Duration, attempt: Int, cap: Duration) -> Duration {
        let half = MonotonicClock.nanoseconds(backoffCeiling(base: base, attempt: attempt, cap: cap)) / 2
        return .nanoseconds(Int64(half + UInt64.random(in: 0...half)))
    }

    /// Honors a `Retry-After` in seconds when the server sent one, within `maxDelay`.
    func delay(afterAttempt attempt: Int, response: HTTPClientResponse?) -> Duration {
        if let value = response?.headers["Retry-After"], let seconds = Int(value), seconds >= 0 {
            return min(.seconds(seconds), maxDelay)
        }
        return delay(afterAttempt: attempt)
    }
}
