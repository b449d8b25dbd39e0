import Synchronization

/// Wakes background loops early: `ring()` from a request that just committed work; a loop calls
/// `wait(timeout:)` between rounds and so never polls faster than its timeout while idle. Any number
/// of loops may wait on one bell (a service's payout workers share one): a ring wakes all of them,
/// and a ring while none waits is kept for the next `wait`.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var nextID: UInt64 = 0
        /// Waits in progress; a wait whose id has left this set returns at once when it registers.
        var pending: Set<UInt64> = []
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func ring() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.rung = true
                return []
            }
            let woken = Array(state.waiters.values)
            for id in state.waiters.keys { state.pending.remove(id) }
            state.waiters = [:]
            return woken
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns when rung (or already rung since the last wait), or after `timeout`.
    public func wait(timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            state.pending.insert(state.nextID)
            return state.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = self.state.withLock { state -> Bool in
                        // Timed out (or woken) before it got here.
                        guard state.pending.contains(id) else { return true }
                        if state.rung {
                            state.rung = false
                            state.pending.remove(id)
                            return true
                        }
                        state.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.release(id)
            }
            await group.next()
            group.cancelAll()
            // The sleeper is cancelled; make sure the waiter is resumed too (a no-op when rung).
            self.release(id)
        }
    }

    /// Ends one wait without marking the bell rung (its timeout, or cleanup after a ring).
    private func release(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.pending.remove(id)
            return state.waiters.removeValue(forKey: id)
        }
        waiter?.resume()
    }
}
