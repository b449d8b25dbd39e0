import HTTP
import Shared
import XCTest

@testable import Platform

/// Token buckets keyed by anything a client controls, with limits a tenant sets: no value traps.
final class RateLimitTests: XCTestCase {
    let second: UInt64 = 1_000_000_000

    func testABucketRefillsAtItsRateUpToItsCapacity() {
        let limiter = TokenBucketLimiter(capacity: 2, refillPerSecond: 1)
        XCTAssertTrue(limiter.consume("ip", now: 0).allowed)
        XCTAssertTrue(limiter.consume("ip", now: 0).allowed)
        let refused = limiter.consume("ip", now: 0)
        XCTAssertFalse(refused.allowed)
        XCTAssertEqual(refused.retryAfterSeconds, 1)
        XCTAssertTrue(limiter.consume("ip", now: second).allowed, "one token a second")
        XCTAssertFalse(limiter.consume("ip", now: second).allowed)
        // A long idle time refills to the capacity, no more.
        XCTAssertEqual(limiter.consume("ip", now: 1000 * second).remaining, 1)
    }

    /// The review: a rate of 1,000,000 a minute and a long-idle bucket overflowed the refill product.
    func testExtremeRatesAndIdleTimesNeverTrap() {
        let limiter = TokenBucketLimiter(capacity: 100, refillPerSecond: 2)
        for rate in [1, 1_000_000, Int.max, Int.min, 0] {
            for now: UInt64 in [0, 1, second, .max / 2, .max] {
                let decision = limiter.consume("key-\(rate)", cost: 1, capacity: rate, refillPerMinute: rate, now: now)
                XCTAssertGreaterThanOrEqual(decision.remaining, 0)
            }
        }
        _ = limiter.consume("big", cost: .max, capacity: 10, refillPerMinute: 10, now: 0)
        _ = limiter.consume("big", cost: .min, capacity: 10, refillPerMinute: 10, now: .max)
        // A check takes nothing and creates nothing.
        let fresh = TokenBucketLimiter(capacity: 1, refillPerSecond: 1)
        XCTAssertTrue(fresh.check("a", now: 0).allowed)
        XCTAssertTrue(fresh.check("a", now: 0).allowed)
        XCTAssertTrue(fresh.consume("a", now: 0).allowed)
        XCTAssertFalse(fresh.check("a", now: 0).allowed)
    }

    func testABurstAboveTheRateRefillsOverMoreThanAMinute() {
        // Capacity 10, 5 a minute: empty → full takes two minutes.
        let limiter = TokenBucketLimiter(capacity: 10, refillPerSecond: 1)
        for _ in 0..<10 { _ = limiter.consume("k", cost: 1, capacity: 10, refillPerMinute: 5, now: 0) }
        XCTAssertEqual(limiter.consume("k", cost: 0, capacity: 10, refillPerMinute: 5, now: 60 * second).remaining, 5)
        XCTAssertEqual(limiter.consume("k", cost: 0, capacity: 10, refillPerMinute: 5, now: 120 * second).remaining, 10)
    }

    func testFailedAuthenticationsLockAnAddressOut() throws {
        let limiter = AuthFailureLimiter(perMinute: 60, burst: 3, metrics: MetricsRegistry())
        for _ in 0..<3 {
            XCTAssertNoThrow(try limiter.checkNotLocked("203.0.113.9", kind: "api_key"))
            limiter.recordFailure("203.0.113.9", kind: "api_key", reason: "invalid")
        }
        XCTAssertThrowsError(try limiter.checkNotLocked("203.0.113.9", kind: "api_key")) { error in
            XCTAssertEqual((error as? HTTPError)?.code, "too_many_failed_attempts")
            XCTAssertEqual((error as? HTTPError)?.status.code, 429)
        }
        XCTAssertNoThrow(try limiter.checkNotLocked("203.0.113.10", kind: "api_key"), "another address is not affected")
    }

    func testTheLRUCacheEvictsOnlyTheColdest() {
        var cache = LRUCache<String, Int>(capacity: 3)
        cache.set(1, for: "a")
        cache.set(2, for: "b")
        cache.set(3, for: "c")
        XCTAssertEqual(cache.value(for: "a"), 1)  // a is now the most recent
        cache.set(4, for: "d")  // evicts b, the coldest
        XCTAssertNil(cache.value(for: "b"))
        XCTAssertEqual(cache.value(for: "a"), 1)
        XCTAssertEqual(cache.value(for: "c"), 3)
        XCTAssertEqual(cache.value(for: "d"), 4)
        XCTAssertEqual(cache.count, 3)
        // A flood of new keys keeps the bound and the warm entry while it stays warm.
        _ = cache.value(for: "a")
        for index in 0..<10_000 {
            cache.set(index, for: "flood-\(index)")
            if index % 2 == 0 { _ = cache.value(for: "a") }
        }
        XCTAssertEqual(cache.count, 3)
        XCTAssertEqual(cache.value(for: "a"), 1)
        cache.set(9, for: "a")
        XCTAssertEqual(cache.value(for: "a"), 9)
        cache.removeAll()
        XCTAssertEqual(cache.count, 0)
        cache.set(1, for: "x")
        XCTAssertEqual(cache.value(for: "x"), 1)
    }
}
