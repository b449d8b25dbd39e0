import Foundation
import HTTP
import Synchronization

/// Per tenant and connector: after `failureThreshold` consecutive provider failures the breaker opens
/// and new payments go elsewhere (the next connector by priority); after `openDuration` one trial call
/// is let through (half-open); a success closes it again.
public final class CircuitBreakers: Sendable {
    public enum State: String, Sendable { case closed, open, halfOpen = "half_open" }

    private struct Breaker {
        public var consecutiveFailures = 0
        public var openedAt: UInt64?
        public var trialInFlight = false
    }

    private let breakers = Mutex<[String: Breaker]>([:])
    public let failureThreshold: Int
    public let openDuration: Duration

    public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(30)) {
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
    }

    public func state(_ key: String, now: UInt64 = MonotonicClock.nanoseconds()) -> State {
        breakers.withLock { breakers in
            guard let breaker = breakers[key], let openedAt = breaker.openedAt else { return .closed }
            return now &- openedAt >= MonotonicClock.nanoseconds(openDuration) ? .halfOpen : .open
        }
    }

    /// Whether a call may go through now (claims the single half-open trial).
    public func allow(_ key: String, now: UInt64 = MonotonicClock.nanoseconds()) -> Bool {
        breakers.withLock { breakers in
            guard var breaker = breakers[key], let openedAt = breaker.openedAt else { return true }
            guard now &- openedAt >= MonotonicClock.nanoseconds(openDuration), !breaker.trialInFlight else {
                return false
            }
            breaker.trialInFlight = true
            breakers[key] = breaker
            return true
        }
    }

    public func recordSuccess(_ key: String) {
        breakers.withLock { $0[key] = nil }
    }

    public func recordFailure(_ key: String, now: UInt64 = MonotonicClock.nanoseconds()) {
        breakers.withLock { breakers in
            var breaker = breakers[key] ?? Breaker()
            breaker.consecutiveFailures += 1
            if breaker.trialInFlight || breaker.consecutiveFailures >= failureThreshold {
                breaker.openedAt = now
                breaker.trialInFlight = false
            }
            breakers[key] = breaker
        }
    }
}
