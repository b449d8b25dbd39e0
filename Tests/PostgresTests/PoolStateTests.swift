import XCTest

@testable import Postgres

/// The pool's bookkeeping as a pure state machine: strings for connections, ints for waiters'
/// tickets, a fixed jitter. Every transition's answer and the counts it leaves.
final class PoolStateTests: XCTestCase {
    typealias State = PoolState<String, Int>

    func waiter(_ state: inout State, ticket: Int) -> Int {
        let id = state.makeID()
        state.enqueue(State.Waiter(id: id, ticket: ticket, timeout: nil))
        return id
    }

    func isSlot(_ grant: PoolGrant<String>?) -> Bool { if case .slot = grant { true } else { false } }

    func connection(_ grant: PoolGrant<String>?) -> (String, Bool)? {
        if case .connection(let connection, let suspect) = grant { (connection, suspect) } else { nil }
    }

    func testSlotsUpToTheSizeThenWaitingAndCheckInHandsOverToTheLongestWaiter() throws {
        var state = State(size: 2, jitter: { $0.lowerBound })
        XCTAssertTrue(isSlot(try state.tryAcquire()?.get()))
        XCTAssertTrue(isSlot(try state.tryAcquire()?.get()))
        XCTAssertNil(state.tryAcquire(), "full: the caller waits")
        _ = waiter(&state, ticket: 1)
        _ = waiter(&state, ticket: 2)
        XCTAssertEqual(state.statistics.waiters, 2)
        guard case .handOver(let first, let grant) = state.checkIn("c1") else { return XCTFail("no hand-over") }
        XCTAssertEqual(first.ticket, 1, "first come, first served")
        XCTAssertEqual(connection(grant)?.0, "c1")
        guard case .handOver(let second, _) = state.checkIn("c2") else { return XCTFail("no hand-over") }
        XCTAssertEqual(second.ticket, 2)
        guard case .idle = state.checkIn("c1") else { return XCTFail("not idle") }
        XCTAssertEqual(state.statistics.idle, 1)
        XCTAssertEqual(state.statistics.inUse, 1)
        XCTAssertEqual(state.statistics.open, 2)
    }

    func testANewcomerNeverOvertakesAWaiterEvenWhenAConnectionIsIdle() throws {
        var state = State(size: 1, jitter: { $0.lowerBound })
        XCTAssertTrue(isSlot(try state.tryAcquire()?.get()))
        _ = waiter(&state, ticket: 7)
        XCTAssertNil(state.tryAcquire(), "the newcomer queues behind ticket 7")
    }

    func testAFailureMakesIdleConnectionsSuspectAndAFreedSlotGoesToAWaiter() throws {
        var state = State(size: 2, jitter: { $0.lowerBound })
        _ = try state.tryAcquire()?.get()
        _ = try state.tryAcquire()?.get()
        _ = state.checkIn("old")
        state.recordFailure()
        let (reused, suspect) = try XCTUnwrap(connection(try state.tryAcquire()?.get()))
        XCTAssertEqual(reused, "old")
        XCTAssertTrue(suspect, "idle from before a failure: validated before use")
        _ = waiter(&state, ticket: 3)
        let handed = try XCTUnwrap(state.discarded(afterFailure: true))
        XCTAssertEqual(handed.0.ticket, 3)
        XCTAssertTrue(isSlot(handed.1), "the broken connection's slot passes to the waiter")
        XCTAssertEqual(state.statistics.open, 2)
        XCTAssertNil(state.discarded(afterFailure: false))
        XCTAssertEqual(state.statistics.open, 1, "no waiter: the slot is freed")
    }

    func testConnectFailuresBackOffDoublingToASecondAndASuccessResets() throws {
        var state = State(size: 1, jitter: { $0.upperBound })
        let now = ContinuousClock.now
        var waits: [Duration] = []
        for _ in 0..<8 {
            _ = try state.tryAcquire()?.get()
            XCTAssertNil(state.connectFailed(now: now, attempted: true))
            waits.append(try XCTUnwrap(state.connectBackoff(now: now)))
        }
        XCTAssertEqual(waits, [24, 50, 100, 200, 400, 800, 1000, 1000].map { Duration.milliseconds($0) })
        XCTAssertNil(state.connectBackoff(now: now + .seconds(2)), "the wait passes")
        state.connectSucceeded()
        XCTAssertNil(state.connectBackoff(now: now))
        var low = State(size: 1, jitter: { $0.lowerBound })
        _ = try low.tryAcquire()?.get()
        _ = low.connectFailed(now: now, attempted: true)
        XCTAssertEqual(low.connectBackoff(now: now), .milliseconds(12), "half the base plus jitter from zero")
    }

    func testShutdownReturnsIdleConnectionsAndWaitersAndLaterCheckInsClose() throws {
        var state = State(size: 2, jitter: { $0.lowerBound })
        _ = try state.tryAcquire()?.get()
        _ = try state.tryAcquire()?.get()
        _ = state.checkIn("idle-1")
        _ = waiter(&state, ticket: 9)
        let (idle, waiters) = state.shutdown()
        XCTAssertEqual(idle, ["idle-1"])
        XCTAssertEqual(waiters.map(\.ticket), [9])
        guard case .close = state.checkIn("lent") else {
            return XCTFail("a connection returned after shutdown is kept")
        }
        XCTAssertEqual(state.statistics.open, 0)
        guard case .failure(let error)? = state.tryAcquire() else { return XCTFail("a closed pool lends") }
        XCTAssertEqual(error.kind, .poolClosed)
    }

    func testARemovedWaiterIsGoneAndTimeoutsAttachOnlyToWaitersStillQueued() {
        var state = State(size: 1, jitter: { $0.lowerBound })
        let id = waiter(&state, ticket: 4)
        XCTAssertTrue(state.setTimeout(Task {}, forWaiter: id))
        XCTAssertEqual(state.removeWaiter(id: id)?.ticket, 4)
        XCTAssertNil(state.removeWaiter(id: id))
        XCTAssertFalse(state.setTimeout(Task {}, forWaiter: id))
    }
}
