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
    /// `refillPerMinute`.
    public func consume(_ key: String, cost: Int = 1, capacity: Int, refillPerMinute: Int,
                        now: UInt64 = MonotonicClock.nanoseconds()) -> Decision {
        let capacity = max(1, capacity)
        let refillPerMinute = max(1, refillPerMinute)
        var hasher = Hasher()
        hasher.combine(key)
        let shard = shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
        let capacityMilli = Int64(capacity) * 1000
        let costMilli = Int64(cost) * 1000
        return shard.buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(milliTokens: capacityMilli, updated: now)
            let elapsedNanos = now > bucket.updated ? now - bucket.updated : 0
            // refill (tokens per minute) × elapsed minutes, in thousandths of a token.
            let refill = Int64(min(UInt64(Int64.max / 2), elapsedNanos / 1_000) * UInt64(refillPerMinute) / 60_000)
            bucket.milliTokens = min(capacityMilli, bucket.milliTokens + refill)
            bucket.updated = now
            let decision: Decision
            if bucket.milliTokens >= costMilli {
                bucket.milliTokens -= costMilli
                decision = Decision(allowed: true, remaining: Int(bucket.milliTokens / 1000), retryAfterSeconds: 0, limit: capacity)
            } else {
                let missing = costMilli - bucket.milliTokens
                // missing thousandths ÷ (refill per minute / 60) thousandths per second, rounded up.
                let seconds = (missing * 60 + Int64(refillPerMinute) * 1000 - 1) / (Int64(refillPerMinute) * 1000)
                decision = Decision(allowed: false, remaining: 0, retryAfterSeconds: Int(max(1, seconds)), limit: capacity)
            }
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
