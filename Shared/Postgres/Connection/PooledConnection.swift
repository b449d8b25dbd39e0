import CLibPQ
import Shared
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A pool's connection: a `ConnectionThread` plus what the pool needs to know about it between uses
/// (still usable? inside a transaction? a job still running?) without a trip to its thread.
final class PooledConnection: Sendable {
    let id: Int
    private let thread: ConnectionThread
    private let usable = Atomic<Bool>(true)
    /// Set once, never cleared: the connection must be closed when it comes back.
    private let retired = Atomic<Bool>(false)
    private let transactionState = Atomic<UInt8>(TransactionState.idle.rawValue)
    private let inFlight = Atomic<Int>(0)
    private let socket = Atomic<Int32>(-1)

    enum TransactionState: UInt8 {
        case idle, active, inTransaction, inFailedTransaction, unknown

        init(_ status: PGTransactionStatusType) {
            switch status {
            case PQTRANS_IDLE: self = .idle
            case PQTRANS_ACTIVE: self = .active
            case PQTRANS_INTRANS: self = .inTransaction
            case PQTRANS_INERROR: self = .inFailedTransaction
            default: self = .unknown
            }
        }
    }

    private init(id: Int, thread: ConnectionThread) {
        self.id = id
        self.thread = thread
    }

    /// Opens a connection on a new thread; the thread is stopped again when connecting fails.
    static func open(id: Int, parameters: ConnectionParameters, threadName: String, logger: Logger)
        async throws(PostgresError) -> PooledConnection
    {
        let connection = PooledConnection(id: id, thread: ConnectionThread(name: threadName))
        do {
            let socket = try await connection.thread.run { session throws(PostgresError) in
                try session.connect(parameters, logger: logger)
                return session.socket
            }
            connection.socket.store(socket, ordering: .relaxed)
            return connection
        } catch {
            await connection.thread.stop()
            throw error
        }
    }

    /// Runs `body` with the session on the connection's thread and records the session's state after it.
    func run<T: Sendable>(_ body: @escaping @Sendable (LibPQSession) throws(PostgresError) -> T)
        async throws(PostgresError) -> T
    {
        inFlight.add(1, ordering: .relaxed)
        return try await thread.run { [self] session throws(PostgresError) in
            defer {
                usable.store(session.isUsable, ordering: .relaxed)
                transactionState.store(TransactionState(session.transactionStatus).rawValue, ordering: .relaxed)
                // Last, and before the caller resumes: a caller that sees 0 sees the state above too.
                inFlight.subtract(1, ordering: .releasing)
            }
            return try body(session)
        }
    }

    var isUsable: Bool { usable.load(ordering: .relaxed) && !retired.load(ordering: .relaxed) }
    var hasJobInFlight: Bool { inFlight.load(ordering: .acquiring) > 0 }
    var transactionStatus: TransactionState {
        TransactionState(rawValue: transactionState.load(ordering: .relaxed)) ?? .unknown
    }

    func markUnusable() { retired.store(true, ordering: .relaxed) }

    /// True when the idle socket has something to read. An idle connection should have nothing: this
    /// is the server's goodbye (an error, then EOF) after a restart or `pg_terminate_backend`, seen
    /// without a round trip.
    var idleSocketHasInput: Bool {
        let fd = socket.load(ordering: .relaxed)
        guard fd >= 0 else { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        return ready != 0
    }

    /// A round trip on the connection's thread; false when the server does not answer properly.
    func validate() async -> Bool {
        (try? await run { session in session.validate() }) ?? false
    }

    /// Closes without waiting for the thread to finish.
    func requestClose() {
        usable.store(false, ordering: .relaxed)
        thread.requestStop()
    }

    /// Closes the session after queued jobs and ends the thread.
    func close() async {
        usable.store(false, ordering: .relaxed)
        await thread.stop()
    }
}
