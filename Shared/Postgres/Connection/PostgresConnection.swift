import Synchronization

/// One pooled connection, lent to the body of `PostgresPool.withConnection` or `transaction`. Valid
/// only inside that body: afterwards every call throws. Statements on one connection run one at a
/// time, in the order they are issued.
public final class PostgresConnection: Sendable {
    let pooled: PooledConnection
    private let valid = Atomic<Bool>(true)
    /// The last error a statement on this lease got: `transaction` uses it when a body swallowed an
    /// error and returned anyway (the transaction is then aborted and cannot commit).
    private let lastErrorBox = Mutex<PostgresError?>(nil)

    init(pooled: PooledConnection) {
        self.pooled = pooled
    }

    /// Runs a statement and returns its rows.
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        PostgresRows(storage: try await run { session throws(PostgresError) in try session.execute(query) })
    }

    /// Runs a statement and returns the number of rows it inserted, updated or deleted.
    /// `query` as a prepared statement (planned once per connection): for hot statements with fixed text.
    public func query(prepared query: PostgresQuery) async throws -> PostgresRows {
        try await self.query(query.prepared())
    }

    /// `execute` as a prepared statement (planned once per connection): for hot statements with fixed text.
    @discardableResult
    public func execute(prepared query: PostgresQuery) async throws -> Int {
        try await execute(query.prepared())
    }

    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await run { session throws(PostgresError) in try session.execute(query).affectedRows }
    }

    /// Runs several statements without binds in one round trip (the simple query protocol), e.g. a
    /// migration. Outside an explicit transaction they commit together or not at all.
    public func executeScript(unsafeSQL sql: String) async throws {
        _ = try await run { session throws(PostgresError) in try session.executeScript(sql) }
    }

    /// Sends every query before reading any result (libpq pipeline mode): one round trip for the
    /// batch. Outside an explicit transaction the batch is one implicit transaction: if a statement
    /// fails, the ones before it are rolled back and the rest are skipped, and the first error is
    /// thrown. Inside `transaction` a failure aborts that transaction.
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresRows] {
        if queries.isEmpty { return [] }
        return try await run { session throws(PostgresError) in try session.pipeline(queries) }
            .map(PostgresRows.init(storage:))
    }

    var lastError: PostgresError? { lastErrorBox.withLock { $0 } }

    func invalidate() { valid.store(false, ordering: .relaxed) }

    func run<T: Sendable>(_ body: @escaping @Sendable (LibPQSession) throws(PostgresError) -> T)
        async throws(PostgresError) -> T
    {
        guard valid.load(ordering: .relaxed) else {
            throw PostgresError.misuse(
                "a PostgresConnection was used after its withConnection/transaction body returned")
        }
        do {
            return try await pooled.run(body)
        } catch {
            lastErrorBox.withLock { $0 = error }
            throw error
        }
    }
}
