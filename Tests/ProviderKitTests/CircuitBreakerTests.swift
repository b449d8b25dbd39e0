import ProviderKit
import Shared
import XCTest

/// Per connector: closed until `failureThreshold` failures in a row, open (refusing) for
/// `openDuration`, then one trial at a time; the trial's outcome closes or reopens it.
final class CircuitBreakerTests: XCTestCase {
    let second: UInt64 = 1_000_000_000

    func testOpensAfterTheThresholdLetsOneTrialThroughAndClosesOnSuccess() {
        let breakers = CircuitBreakers(failureThreshold: 3, openDuration: .seconds(10))
        let start: UInt64 = 1_000 * second
        for failure in 1...3 {
            XCTAssertTrue(breakers.allow("con_a", now: start))
            breakers.recordFailure("con_a", now: start)
            XCTAssertEqual(breakers.state("con_a", now: start), failure < 3 ? .closed : .open)
        }
        XCTAssertFalse(breakers.allow("con_a", now: start + 9 * second), "open: calls go elsewhere")
        XCTAssertTrue(breakers.allow("con_b", now: start), "another connector's breaker is its own")
        XCTAssertEqual(breakers.state("con_a", now: start + 10 * second), .halfOpen)
        XCTAssertTrue(breakers.allow("con_a", now: start + 10 * second), "one trial")
        XCTAssertFalse(breakers.allow("con_a", now: start + 10 * second), "only one trial at a time")
        breakers.recordSuccess("con_a")
        XCTAssertEqual(breakers.state("con_a", now: start + 10 * second), .closed)
        XCTAssertTrue(breakers.allow("con_a", now: start + 10 * second))
    }

    func testAFailedTrialReopensForAnotherFullPeriod() {
        let breakers = CircuitBreakers(failureThreshold: 1, openDuration: .seconds(10))
        breakers.recordFailure("con_a", now: 0)
        XCTAssertTrue(breakers.allow("con_a", now: 10 * second))
        breakers.recordFailure("con_a", now: 10 * second)
        XCTAssertEqual(breakers.state("con_a", now: 19 * second), .open)
        XCTAssertFalse(breakers.allow("con_a", now: 19 * second))
        XCTAssertTrue(breakers.allow("con_a", now: 20 * second))
    }

    func testSuccessesBetweenFailuresResetTheCount() {
        let breakers = CircuitBreakers(failureThreshold: 2, openDuration: .seconds(10))
        for _ in 0..<10 {
            breakers.recordFailure("con_a", now: 0)
            breakers.recordSuccess("con_a")
        }
        XCTAssertEqual(breakers.state("con_a", now: 0), .closed)
    }
}
