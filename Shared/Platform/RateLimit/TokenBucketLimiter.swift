import HTTP
import Synchronization

/// In-process token buckets by key (source IP, tenant, API key): `capacity` tokens, refilled at
/// `refillPerSecond`. Sharded locks keep concurrent requests from contending; idle full buckets are
/// dropped so a scan over many addresses cannot grow memory without bound.
public final class TokenBucketLimiter: Sendable {
    public struct Decision: Sendable, Equatable {
        public let allowed: Bool
        /// Whole tokens left after this request.
        public let remaining: Int
        /// Seconds until a token is available (when refused).
        public let retryAfterSeconds: Int
        public let limit: Int
    }

    private struct Bucket {
        var milliTokens: Int64
        var updated: UInt64
    }

    /// A lock and its buckets (a class, so shards can live in an array).
    private final class Shard: Sendable {
        let buckets = Mutex<[String: Bucket]>([:])
    }

    private static let shardCount = 16
    private let shards: [Shard]
    public let capacity: Int
    public let refillPerSecond: Int
    private let maxKeysPerShard: Int

    public init(capacity: Int, refillPerSecond: Int, maxKeys: Int = 200_000) {
        self.capacity = max(1, capacity)
        self.refillPerSecond = max(1, refillPerSecond)
        self.maxKeysPerShard = max(16, maxKeys / Self.shardCount)
        shards = (0..<Self.shardCount).map { _ in Shard() }
    }

    /// Takes `cost` tokens for `key` if it can.
    public func consume(_ key: String, cost: Int = 1, now: UInt64 = MonotonicClock.nanoseconds()) -> Decision {
        consume(key, cost: cost, capacity: capacity, refillPerMinute: refillPerSecond * 60, now: now)
    }

    /// As `consume`, with this key's own limits (per-tenant settings): `capacity` tokens refilled at
    /// `refillPerMinute`. Every quantity is clamped and every sum saturates, so no limit a tenant can set
    /// (up to 1,000,000 a minute) and no idle time (a bucket untouched for years) can overflow.
    public func consume(
        _ key: String, cost: Int = 1, capacity: Int, refillPerMinute: Int,
        now: UInt64 = MonotonicClock.nanoseconds()
    ) -> Decision {
        decide(key, cost: cost, capacity: capacity, refillPerMinute: refillPerMinute, now: now, take: true)
    }

    /// Whether `cost` tokens are there for `key`, without taking them (a lockout check before the work
    /// whose failure would take one).
    public func check(_ key: String, cost: Int = 1, now: UInt64 = MonotonicClock.nanoseconds()) -> Decision {
        decide(key, cost: cost, capacity: capacity, refillPerMinute: refillPerSecond * 60, now: now, take: false)
    }

    static let maxRate = 100_000_000

    private func decide(_ key: String, cost: Int, capacity: Int, refillPerMinute: Int, now: UInt64, take: Bool)
        -> Decision
    {
        let capacity = min(max(1, capacity), Self.maxRate)
        let refillPerMinute = Int64(min(max(1, refillPerMinute), Self.maxRate))
        let cost = min(max(0, cost), capacity)
        var hasher = Hasher()
        hasher.combine(key)
        let shard = shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
        let capacityMilli = Int64(capacity) * 1000
        let costMilli = Int64(cost) * 1000
        return shard.buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(milliTokens: capacityMilli, updated: now)
            let elapsedMicros = now > bucket.updated ? (now - bucket.updated) / 1_000 : 0
            // refill per minute × elapsed minutes, in thousandths of a token. Past the time that refills
            // the whole capacity more time changes nothing, so clamping it there keeps the product small
            // (at most capacity × 60,000,000 ≤ 6·10¹⁵).
            let fillMicros = Int64(capacity) * 60_000_000 / refillPerMinute + 1
            let micros = min(Int64(min(elapsedMicros, UInt64(Int64.max))), fillMicros)
            let refill = micros * refillPerMinute / 60_000
            bucket.milliTokens = min(capacityMilli, bucket.milliTokens + refill)
            bucket.updated = now
            let decision: Decision
            if bucket.milliTokens >= costMilli {
                if take { bucket.milliTokens -= costMilli }
                decision = Decision(
                    allowed: true, remaining: Int(bucket.milliTokens / 1000), retryAfterSeconds: 0, limit: capacity)
            } else {
                let missing = costMilli - bucket.milliTokens
                // missing thousandths ÷ (refill per minute / 60) thousandths per second, rounded up.
                let seconds = (missing * 60 + refillPerMinute * 1000 - 1) / (refillPerMinute * 1000)
                decision = Decision(
                    allowed: false, remaining: 0, retryAfterSeconds: Int(max(1, seconds)), limit: capacity)
            }
            if !take, buckets[key] == nil { return decision }  // a check does not create a bucket
            if buckets.count >= maxKeysPerShard, buckets[key] == nil {
                // Full buckets carry no information: forget them first.
                buckets = buckets.filter { $0.value.milliTokens < capacityMilli }
                if buckets.count >= maxKeysPerShard { buckets.removeAll(keepingCapacity: true) }
            }
            buckets[key] = bucket
            return decision
        }
    }
}
