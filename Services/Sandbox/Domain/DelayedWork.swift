import Platform
import Synchronization

/// Work due later (payouts settling at their simulated bank), run by one long-lived task from a
/// deadline-ordered heap: a benchmark's thousands of pending payouts per second cost a heap entry each,
/// not a sleeping task each. Due work runs in batches at most every `granularity`, so it may run a few
/// milliseconds late — nothing a simulated bank needs to be more punctual than. Work scheduled before a
/// `POST /_sandbox/reset` is dropped.
final class DelayedWork: Sendable {
    private struct Item {
        let due: ContinuousClock.Instant
        /// Keeps work due at the same instant in the order it was scheduled.
        let order: Int64
        let epoch: Int
        let work: @Sendable () -> Void

        func precedes(_ other: Item) -> Bool { (due, order) < (other.due, other.order) }
    }

    private struct State {
        var heap: [Item] = []
        var nextOrder: Int64 = 0
    }

    private let state = Mutex(State())
    private let doorbell = Doorbell()
    private let generation: ResetGeneration
    private let granularity: Duration

    init(generation: ResetGeneration, granularity: Duration = .milliseconds(5)) {
        self.generation = generation
        self.granularity = granularity
        Task { [self] in await run() }
    }

    /// Runs `work` once `milliseconds` have passed (on the worker task, never on the caller's).
    func schedule(after milliseconds: Int, _ work: @escaping @Sendable () -> Void) {
        let due = ContinuousClock.now + .milliseconds(max(0, milliseconds))
        let epoch = generation.current
        let earliest = state.withLock { state -> Bool in
            let item = Item(due: due, order: state.nextOrder, epoch: epoch, work: work)
            state.nextOrder += 1
            state.heap.append(item)
            Self.siftUp(&state.heap, from: state.heap.count - 1)
            return state.heap[0].order == item.order
        }
        // The worker sleeps until the earliest deadline it knew of; an earlier one must wake it.
        if earliest { doorbell.ring() }
    }

    /// How many pieces of work are waiting (for tests and logs).
    var pending: Int { state.withLock { $0.heap.count } }

    private func run() async {
        while true {
            let now = ContinuousClock.now
            let (due, next) = state.withLock { state -> ([Item], ContinuousClock.Instant?) in
                var due: [Item] = []
                while let first = state.heap.first, first.due <= now {
                    due.append(Self.popFirst(&state.heap))
                }
                return (due, state.heap.first?.due)
            }
            let epoch = generation.current
            for item in due where item.epoch == epoch { item.work() }
            let wait = next.map { max(granularity, $0 - ContinuousClock.now) } ?? .seconds(1)
            await doorbell.wait(timeout: wait)
        }
    }

    // MARK: Binary min-heap on (due, order)

    private static func siftUp(_ heap: inout [Item], from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popFirst(_ heap: inout [Item]) -> Item {
        let first = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            guard smallest != parent else { return first }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
