/// What a caller of the pool gets: an existing connection (suspect ones are validated before use) or
/// the right to open a new one ("a slot").
enum PoolGrant<Connection> {
    case connection(Connection, suspect: Bool)
    case slot
}

extension PoolGrant: Sendable where Connection: Sendable {}

/// The pool's bookkeeping, kept under one lock and free of I/O: each transition says what the caller
/// must do next (use this connection, connect a new one, wait, fail, wake that waiter). Generic over
/// the connection and the waiter's ticket (the pool's continuation) and given its jitter, so it is
/// tested as a pure state machine (`PoolStateTests`) with strings for connections and ints for tickets.
struct PoolState<Connection, Ticket>: ~Copyable {
    typealias Grant = PoolGrant<Connection>

    struct Waiter {
        let id: Int
        let ticket: Ticket
        var timeout: Task<Void, Never>?
    }

    struct IdleEntry {
        let connection: Connection
        /// `failureEpoch` when it went idle; older than the current epoch means "validate first".
        let epoch: Int
    }

    let size: Int
    private(set) var idle: [IdleEntry] = []
    /// Connections open or being opened.
    private(set) var open = 0
    /// Connections lent out, or being opened for a caller.
    private(set) var leased = 0
    private(set) var waiters: [Waiter] = []
    private(set) var closed = false
    /// Bumped on every connection failure: idle connections from before it are suspect.
    private var failureEpoch = 0
    private var consecutiveConnectFailures = 0
    private var connectBlockedUntil: ContinuousClock.Instant?
    private var nextID = 0

    /// A number in the range (the connect backoff's jitter); random in the pool, fixed in tests.
    private let jitter: (ClosedRange<Int>) -> Int

    init(size: Int, jitter: @escaping (ClosedRange<Int>) -> Int = { Int.random(in: $0) }) {
        self.size = max(1, size)
        self.jitter = jitter
    }

    mutating func makeID() -> Int {
        nextID += 1
        return nextID
    }

    /// Takes an idle connection (most recently used first, so surplus connections stay cold) or a
    /// free slot; nil when the caller must wait.
    mutating func tryAcquire() -> Result<Grant, PostgresError>? {
        if closed { return .failure(.poolClosed) }
        // FIFO: a newcomer never overtakes callers already waiting.
        guard waiters.isEmpty else { return nil }
        return grantWithoutWaiting()
    }

    private mutating func grantWithoutWaiting() -> Result<Grant, PostgresError>? {
        if let entry = idle.popLast() {
            leased += 1
            return .success(.connection(entry.connection, suspect: entry.epoch < failureEpoch))
        }
        if open < size {
            open += 1
            leased += 1
            return .success(.slot)
        }
        return nil
    }

    mutating func enqueue(_ waiter: Waiter) {
        waiters.append(waiter)
    }

    mutating func setTimeout(_ task: Task<Void, Never>, forWaiter id: Int) -> Bool {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return false }
        waiters[index].timeout = task
        return true
    }

    mutating func removeWaiter(id: Int) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index)
    }

    /// When a new connection may be attempted; nil when now. Set after failed connects, so a server
    /// that is down sees a trickle of attempts, not one per request.
    func connectBackoff(now: ContinuousClock.Instant) -> Duration? {
        guard let until = connectBlockedUntil, until > now else { return nil }
        return until - now
    }

    mutating func connectSucceeded() {
        consecutiveConnectFailures = 0
        connectBlockedUntil = nil
    }

    /// The slot goes back; a waiter, if any, gets it (and will try to connect itself).
    mutating func connectFailed(now: ContinuousClock.Instant, attempted: Bool) -> (Waiter, Grant)? {
        if attempted {
            consecutiveConnectFailures += 1
            failureEpoch += 1
            // 25 ms doubling to 1 s, with jitter so replicas do not retry in lockstep.
            let exponent = min(consecutiveConnectFailures - 1, 6)
            let base = min(25 << exponent, 1000)
            let jittered = base / 2 + jitter(0...(base / 2))
            connectBlockedUntil = now + .milliseconds(jittered)
        }
        return freeSlot()
    }

    /// A lent connection came back usable: the longest waiter gets it, or it goes idle. Returns
    /// `.close` when the pool is shut down.
    enum CheckIn {
        case handOver(Waiter, Grant)
        case idle
        case close
    }

    mutating func checkIn(_ connection: Connection) -> CheckIn {
        if closed {
            open -= 1
            leased -= 1
            return .close
        }
        if !waiters.isEmpty {
            return .handOver(waiters.removeFirst(), .connection(connection, suspect: false))
        }
        leased -= 1
        idle.append(IdleEntry(connection: connection, epoch: failureEpoch))
        return .idle
    }

    /// A lent connection was closed (broken or suspect). Its slot goes to the longest waiter, if any.
    mutating func discarded(afterFailure: Bool) -> (Waiter, Grant)? {
        if afterFailure { failureEpoch += 1 }
        return freeSlot()
    }

    /// A caller holding a slot (or a connection it closed) keeps the slot but records the failure.
    mutating func recordFailure() {
        failureEpoch += 1
    }

    private mutating func freeSlot() -> (Waiter, Grant)? {
        if !closed, !waiters.isEmpty {
            // The slot passes straight to the waiter: `open` and `leased` stay as they are.
            return (waiters.removeFirst(), .slot)
        }
        open -= 1
        leased -= 1
        return nil
    }

    /// Marks the pool closed and hands back what must be closed or failed.
    mutating func shutdown() -> (idle: [Connection], waiters: [Waiter]) {
        closed = true
        let connections = idle.map(\.connection)
        open -= idle.count
        idle = []
        let failed = waiters
        waiters = []
        return (connections, failed)
    }

    var statistics: PostgresPoolStatistics {
        PostgresPoolStatistics(size: size, open: open, idle: idle.count, inUse: leased, waiters: waiters.count)
    }
}
