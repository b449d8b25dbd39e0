import HTTP
import Shared
import Synchronization

/// What providers remember about idempotency keys (Stripe `Idempotency-Key`, PayPal
/// `PayPal-Request-Id`): the request's fingerprint and the response it got, so the same key with the
/// same request replays that response and never executes again.
///
/// Bounded: past `capacity` keys the oldest are forgotten, as a provider forgets keys after a day.
final class IdempotencyCache: Sendable {
    /// A response kept for replay.
    struct Stored: Sendable {
        let status: HTTPStatus
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    enum Lookup: Sendable {
        /// First use: the caller executes and then calls `finish` (or `abandon`).
        case execute
        case replay(Stored)
        /// The key was used with different parameters.
        case mismatch
        /// A request with this key is executing right now.
        case inFlight
    }

    private struct Entry {
        let fingerprint: [UInt8]
        var response: Stored?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Insertion order, for forgetting the oldest; `head` skips what was already dropped.
        var order: [String] = []
        var head = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// `scope` separates accounts (a key belongs to one account); `fingerprint` is what "the same
    /// request" means for the provider (a digest of method, path and parameters).
    func begin(scope: String, key: String, fingerprint: [UInt8]) -> Lookup {
        let id = scope + "\u{0}" + key
        return state.withLock { state in
            if let entry = state.entries[id] {
                guard entry.fingerprint == fingerprint else { return .mismatch }
                guard let response = entry.response else { return .inFlight }
                return .replay(response)
            }
            state.entries[id] = Entry(fingerprint: fingerprint, response: nil)
            state.order.append(id)
            Self.evict(&state, capacity: capacity)
            return .execute
        }
    }

    func finish(scope: String, key: String, response: Stored) {
        let id = scope + "\u{0}" + key
        state.withLock { state in
            guard var entry = state.entries[id] else { return }
            entry.response = response
            state.entries[id] = entry
        }
    }

    /// Forgets a key whose request did not execute (validation failed, an injected failure), so a
    /// retry with it executes — as providers only store results of requests that started executing.
    func abandon(scope: String, key: String) {
        let id = scope + "\u{0}" + key
        state.withLock { state in
            if state.entries[id]?.response == nil { state.entries[id] = nil }
        }
    }

    func reset() {
        state.withLock { $0 = State() }
    }

    private static func evict(_ state: inout State, capacity: Int) {
        while state.entries.count > capacity, state.head < state.order.count {
            state.entries[state.order[state.head]] = nil
            state.head += 1
        }
        // Compact the order list once the dropped prefix dominates it.
        if state.head > 1024, state.head * 2 > state.order.count {
            state.order.removeFirst(state.head)
            state.head = 0
        }
    }
}
