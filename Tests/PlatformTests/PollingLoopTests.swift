import Foundation
import Platform
import Shared
import Synchronization
import TestSupport
import XCTest

/// The one background loop every service runs: busy rounds go again at once, idle rounds sleep until
/// the bell, a failing round is retried after its pause, and shutdown stops a sleeping loop at once.
final class PollingLoopTests: XCTestCase {
    func testBusyRoundsRunBackToBackAndAnIdleLoopWakesOnItsBell() async throws {
        let rounds = Mutex(0)
        let loop = PollingLoop(name: "test", idle: .seconds(60), logger: TestEnvironment.logger()) {
            let count = rounds.withLock { count in
                count += 1; return count
            }
            return count < 5 ? .busy : .idle
        }
        let task = Task { try await loop.run() }
        let busy = await eventually(timeout: .seconds(2)) { rounds.withLock { $0 } == 5 }
        XCTAssertTrue(busy, "five busy rounds back to back")
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(rounds.withLock { $0 }, 5, "an idle loop sleeps (its idle time is a minute)")
        loop.bell.ring()
        let woke = await eventually(timeout: .seconds(2)) { rounds.withLock { $0 } == 6 }
        XCTAssertTrue(woke, "the bell wakes it")
        let started = ContinuousClock.now
        await loop.shutdown()
        try await task.value
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "shutdown does not wait out the idle minute")
    }

    func testAFailingRoundIsRetriedAfterItsPauseAndTheLoopKeepsRunning() async throws {
        struct Flaky: Error {}
        let rounds = Mutex(0)
        let loop = PollingLoop(
            name: "flaky", idle: .seconds(60), afterFailure: .milliseconds(20), logger: TestEnvironment.logger()
        ) {
            let count = rounds.withLock { count in
                count += 1; return count
            }
            if count <= 3 { throw Flaky() }
            return .idle
        }
        let task = Task { try await loop.run() }
        let recovered = await eventually(timeout: .seconds(2)) { rounds.withLock { $0 } == 4 }
        XCTAssertTrue(recovered, "three failures, then a round that works")
        await loop.shutdown()
        try await task.value
        XCTAssertTrue(loop.isStopping)
    }

    func testAStoppedControlNeitherRunsNorSleeps() async {
        let control = LoopControl()
        XCTAssertTrue(control.isRunning)
        control.stop()
        XCTAssertFalse(control.isRunning)
        let started = ContinuousClock.now
        await control.pause(.seconds(30))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1), "a stopped loop does not sleep")
    }
}
