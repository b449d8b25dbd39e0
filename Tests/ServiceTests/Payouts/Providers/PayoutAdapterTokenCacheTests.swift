import ProviderKit
import Synchronization
import XCTest

/// The access-token cache the PayPal, MTN and Airtel payout adapters share the design of.
final class PayoutAdapterTokenCacheTests: XCTestCase {
    func testConcurrentCallersShareOneFetchAndTheTokenIsReusedUntilItsRefreshPoint() async throws {
        let cache = ProviderTokenCache()
        let fetches = Mutex(0)
        let fetch: ProviderTokenCache.Fetch = {
            let count = fetches.withLock { value in
                value += 1
                return value
            }
            try? await Task.sleep(for: .milliseconds(50))
            return .success(ProviderAccessToken(value: "token-\(count)", expiresIn: .seconds(3600)))
        }
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await cache.token(for: "conn_1", fetch: fetch).value } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(Set(values), ["token-1"])
        XCTAssertEqual(fetches.withLock { $0 }, 1)
        let other = try await cache.token(for: "conn_2", fetch: fetch)
        XCTAssertEqual(other.value, "token-2", "another key has its own token")
    }

    func testInvalidateForgetsOnlyTheRefusedTokenAndFailuresAreNotCached() async throws {
        let cache = ProviderTokenCache()
        let results = Mutex<[Result<ProviderAccessToken, ProviderError>]>([
            .failure(ProviderError(kind: .unavailable, code: "connect_failed", message: "down")),
            .success(ProviderAccessToken(value: "a", expiresIn: .seconds(3600))),
            .success(ProviderAccessToken(value: "b", expiresIn: .seconds(3600))),
        ])
        let fetch: ProviderTokenCache.Fetch = { results.withLock { $0.removeFirst() } }
        do {
            _ = try await cache.token(for: "k", fetch: fetch)
            XCTFail("the first fetch fails")
        } catch {
            XCTAssertEqual(error.kind, .unavailable)
        }
        let first = try await cache.token(for: "k", fetch: fetch)
        XCTAssertEqual(first.value, "a", "a failed fetch is not remembered")
        cache.invalidate("k", value: "stale")
        let same = try await cache.token(for: "k", fetch: fetch)
        XCTAssertEqual(same.value, "a", "invalidating another value changes nothing")
        cache.invalidate("k", value: "a")
        let renewed = try await cache.token(for: "k", fetch: fetch)
        XCTAssertEqual(renewed.value, "b")
    }

    func testRefreshComesEarlyAndHalfwayThroughShortLifetimes() {
        let now = ContinuousClock.now
        XCTAssertEqual(
            ProviderAccessToken(value: "t", expiresIn: .seconds(3600), now: now).refreshAfter,
            now.advanced(by: .seconds(3300)))
        XCTAssertEqual(
            ProviderAccessToken(value: "t", expiresIn: .seconds(180), now: now).refreshAfter,
            now.advanced(by: .seconds(90)))
        XCTAssertEqual(
            ProviderAccessToken(value: "t", expiresIn: .zero, now: now).refreshAfter, now, "no lifetime: this call only"
        )
    }
}
