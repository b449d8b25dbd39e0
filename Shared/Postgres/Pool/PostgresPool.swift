import Shared
import Synchronization

/// A pool of libpq connections, each on its own thread. Connections open lazily (at most
/// `poolSize`), callers wait first-in first-out for a free one (up to `acquireTimeout`), broken ones
/// are dropped and replaced, so the pool recovers by itself after a server restart.
///
///     let pool = PostgresPool(configuration: .init(url: url), logger: logger)
///     let rows = try await pool.query("SELECT id, amount FROM payments.payments WHERE tenant_id = \(tenant)")
/// The pool's bookkeeping with real connections, and waiters' continuations as their tickets.
typealias PoolBook = PoolState<PooledConnection, CheckedContinuation<PoolGrant<PooledConnection>, any Error>>

public final class PostgresPool: Sendable {
    let configuration: PostgresConfiguration
    let logger: Logger
    let parameters: ConnectionParameters
    let state: Mutex<PoolBook>
    let listeners = Mutex<[PostgresListener]>([])

    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger.with(["db.pool": .string(configuration.applicationName)])
        self.parameters = ConnectionParameters(
            configuration: configuration, applicationName: configuration.applicationName)
        self.state = Mutex(PoolBook(size: configuration.poolSize))
    }

    /// Runs one statement on a pooled connection and returns its rows.
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withPooledConnection { connection throws(PostgresError) in
            PostgresRows(
                storage: try await connection.run { session throws(PostgresError) in try session.execute(query) })
        }
    }

    /// Runs one statement and returns the number of rows it inserted, updated or deleted.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await withPooledConnection { connection throws(PostgresError) in
            try await connection.run { session throws(PostgresError) in try session.execute(query).affectedRows }
        }
    }

    /// Several statements in one round trip on one connection; see `PostgresConnection.pipeline`.
    /// Outside a transaction they commit together or not at all.
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresRows] {
        try await withConnection { connection in try await connection.pipeline(queries) }
    }

    /// A pool dropped without `shutdown()` still ends its idle connections' threads and its listeners.
    deinit {
        // Not destructured: Swift 6.3's region checker refuses a tuple pattern here (docs/compiler-workarounds.md).
        let drained = state.withLock { $0.shutdown() }
        // Waiters keep the pool alive while they wait, so this finds none; fail them anyway if so.
        for waiter in drained.waiters { waiter.ticket.resume(throwing: PostgresError.poolClosed) }
        for connection in drained.idle { connection.requestClose() }
        for listener in listeners.withLock({ $0 }) { listener.cancel() }
    }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens. If `body` leaves
    /// a transaction open, it is rolled back before the connection is reused.
    @discardableResult
    nonisolated(nonsending)
        public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T
    {
        let pooled = try await acquire()
        let lease = PostgresConnection(pooled: pooled)
        do {
            let value = try await body(lease)
            lease.invalidate()
            await release(pooled)
            return value
        } catch {
            lease.invalidate()
            await release(pooled)
            throw error
        }
    }

    /// Current counts, for metrics.
    public var statistics: PostgresPoolStatistics {
        state.withLock { $0.statistics }
    }

    /// Closes idle connections now and lent ones as they come back, fails waiting callers with
    /// `.poolClosed`, and cancels listeners. Later calls fail with `.poolClosed`.
    public func shutdown() async {
        let drained = state.withLock { $0.shutdown() }
        let (idle, waiters) = (drained.idle, drained.waiters)
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.ticket.resume(throwing: PostgresError.poolClosed)
        }
        for listener in listeners.withLock({ $0 }) { listener.cancel() }
        for connection in idle { await connection.close() }
        logger.info("postgres pool shut down", ["db.closed_connections": .integer(idle.count)])
    }

    /// The fast path for single statements: no lease object, same guarantees as `withConnection`.
    private func withPooledConnection<T: Sendable>(
        _ body: (PooledConnection) async throws(PostgresError) -> T
    ) async throws(PostgresError) -> T {
        let pooled = try await acquire()
        do {
            let value = try await body(pooled)
            await release(pooled)
            return value
        } catch {
            await release(pooled)
            throw error
        }
    }
}
