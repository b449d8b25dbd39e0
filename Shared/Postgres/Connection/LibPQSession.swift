import CLibPQ
import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// One libpq connection. Not thread-safe, like libpq itself: only the `ConnectionThread` that
/// created it calls it, so every call here may block.
final class LibPQSession {
    private(set) var connection: OpaquePointer?
    /// Set when a multi-step exchange (a pipeline) stopped half way: the protocol state is unknown,
    /// so the connection must not be reused.
    private(set) var poisoned = false
    private var noticeForwarder: NoticeForwarder?
    /// Statement text → name of its prepared statement on this connection.
    private var preparedStatements: [String: String] = [:]
    /// Names are never reused, even after a statement was deallocated.
    private var preparedCount = 0
    private static let maxPreparedStatements = 128

    init() {}

    deinit { close() }

    /// Connects and applies the session settings Coffer relies on (UTC, ISO dates, hex bytea).
    func connect(_ parameters: ConnectionParameters, logger: Logger) throws(PostgresError) {
        close()
        let keywords = parameters.keywords.map(Optional.some) + [nil]
        let values = parameters.values.map(Optional.some) + [nil]
        let connection: OpaquePointer?
        do {
            connection = try CStringArray.with(keywords) { keywordPointers in
                try CStringArray.with(values) { valuePointers in
                    PQconnectdbParams(keywordPointers, valuePointers, 1)
                }
            }
        } catch {
            throw PostgresError(kind: .connectionFailed, serverMessage: "connection parameters contain a NUL byte")
        }
        guard let connection else {
            throw PostgresError(kind: .connectionFailed, serverMessage: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = LibPQResult.connectionMessage(connection)
            PQfinish(connection)
            throw PostgresError(kind: .connectionFailed, serverMessage: message)
        }
        self.connection = connection
        poisoned = false
        preparedStatements = [:]
        let forwarder = NoticeForwarder(logger: logger)
        noticeForwarder = forwarder
        PQsetNoticeReceiver(connection, noticeReceiver, Unmanaged.passUnretained(forwarder).toOpaque())
        do {
            try executeScript(parameters.sessionSettings)
        } catch {
            close()
            throw PostgresError(kind: .connectionFailed, sqlState: error.sqlState, serverMessage: error.serverMessage)
        }
    }

    func close() {
        if let connection { PQfinish(connection) }
        connection = nil
        preparedStatements = [:]
        preparedCount = 0
        noticeForwarder = nil
    }

    /// Open, not poisoned, and libpq still believes in it.
    var isUsable: Bool {
        guard let connection, !poisoned else { return false }
        return PQstatus(connection) == CONNECTION_OK
    }

    var transactionStatus: PGTransactionStatusType {
        connection.map { PQtransactionStatus($0) } ?? PQTRANS_UNKNOWN
    }

    var socket: Int32 { connection.map { PQsocket($0) } ?? -1 }

    /// One statement with text binds and text results (`PQexecParams`, unnamed statement: one round trip).
    func execute(_ query: PostgresQuery) throws(PostgresError) -> ResultStorage {
        if query.usesPreparedStatement { return try executePrepared(query) }
        let connection = try open()
        let result: OpaquePointer?
        do {
            result = try CStringArray.with(query.sql) { sql in
                try CStringArray.with(query.binds) { values in
                    PQexecParams(connection, sql, Int32(values.count), nil, values, nil, nil, 0)
                }
            }
        } catch {
            throw (error as? PostgresError) ?? CStringArray.nulByteError
        }
        return try consume(result, connection: connection)
    }

    /// A named prepared statement, prepared on first use on this connection (`PQprepare`) and then
    /// only executed (`PQexecPrepared`), skipping parse and plan. When a schema change invalidates
    /// the cached plan (SQLSTATE 0A000), the statement is prepared again once.
    private func executePrepared(_ query: PostgresQuery, retried: Bool = false) throws(PostgresError) -> ResultStorage {
        let connection = try open()
        guard let statement = try preparedName(for: query) else {
            var unprepared = query
            unprepared.usesPreparedStatement = false
            return try execute(unprepared)
        }
        let result: OpaquePointer?
        do {
            result = try CStringArray.with(query.binds) { values in
                PQexecPrepared(connection, statement, Int32(values.count), values, nil, nil, 0)
            }
        } catch {
            throw (error as? PostgresError) ?? CStringArray.nulByteError
        }
        do {
            return try consume(result, connection: connection)
        } catch  where error.sqlState == "0A000" && !retried && transactionStatus == PQTRANS_IDLE {
            _ = try? executeScript("DEALLOCATE \(statement)")
            preparedStatements[query.sql] = nil
            return try executePrepared(query, retried: true)
        }
    }

    /// The name `query` is prepared under on this connection, preparing it first if needed (`PQprepare`,
    /// one round trip, once per connection); nil when the connection's cache is full.
    func preparedName(for query: PostgresQuery) throws(PostgresError) -> String? {
        if let name = preparedStatements[query.sql] { return name }
        guard preparedStatements.count < Self.maxPreparedStatements else { return nil }
        let connection = try open()
        preparedCount += 1
        let newName = "coffer_\(preparedCount)"
        let prepared: OpaquePointer?
        do {
            prepared = try CStringArray.with(query.sql) { sql in
                PQprepare(connection, newName, sql, Int32(query.binds.count), nil)
            }
        } catch {
            throw CStringArray.nulByteError
        }
        _ = try consume(prepared, connection: connection)
        preparedStatements[query.sql] = newName
        return newName
    }

    /// Statements without binds through the simple query protocol, so a script may hold several; they
    /// run as one implicit transaction unless the script says otherwise. Returns the last result.
    @discardableResult
    func executeScript(_ sql: String) throws(PostgresError) -> ResultStorage {
        let connection = try open()
        let result: OpaquePointer?
        do {
            result = try CStringArray.with(sql) { PQexec(connection, $0) }
        } catch {
            throw CStringArray.nulByteError
        }
        return try consume(result, connection: connection)
    }

    /// A cheap round trip (an empty statement) proving the server still answers on this connection.
    func validate() -> Bool {
        guard isUsable, let connection else { return false }
        let result = PQexec(connection, "")
        defer { PQclear(result) }
        return result.map { PQresultStatus($0) == PGRES_EMPTY_QUERY } ?? false && isUsable
    }

    func open() throws(PostgresError) -> OpaquePointer {
        guard let connection, !poisoned else {
            throw PostgresError(kind: .connectionLost, serverMessage: "connection is closed")
        }
        return connection
    }

    func poison() { poisoned = true }

    private func consume(_ result: OpaquePointer?, connection: OpaquePointer) throws(PostgresError) -> ResultStorage {
        defer { PQclear(result) }
        guard let result else { throw LibPQResult.error(from: nil, connection: connection) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            return LibPQResult.storage(from: result)
        case PGRES_EMPTY_QUERY:
            return .empty
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            // COPY needs its own protocol; the connection is now mid-copy, so it cannot be reused.
            poisoned = true
            throw PostgresError(kind: .query, serverMessage: "COPY is not supported through query/execute")
        default:
            throw LibPQResult.error(from: result, connection: connection)
        }
    }
}

/// Server notices (`NOTICE: schema already exists, skipping`) go to the debug log instead of
/// libpq's default, which prints to stderr.
final class NoticeForwarder {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private func noticeReceiver(_ context: UnsafeMutableRawPointer?, _ result: OpaquePointer?) {
    guard let context, let result else { return }
    let forwarder = Unmanaged<NoticeForwarder>.fromOpaque(context).takeUnretainedValue()
    guard forwarder.logger.isEnabled(.debug) else { return }
    forwarder.logger.debug(
        "postgres notice",
        [
            "db.severity": .optional(LibPQResult.field(result, LibPQResult.severityField)),
            "db.sql_state": .optional(LibPQResult.field(result, LibPQResult.sqlStateField)),
            "db.notice": .optional(LibPQResult.field(result, LibPQResult.primaryMessageField)),
        ])
}
