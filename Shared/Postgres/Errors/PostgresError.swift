/// Any failure talking to PostgreSQL. `description` is generic and safe to log or show (kind and
/// SQLSTATE only); the server's message and detail, which can quote row values, are only in
/// `debugDescription`.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not open a connection (server down, bad credentials, too many connections).
        case connectionFailed
        /// An open connection broke (server restart, network); the statement may or may not have run.
        case connectionLost
        /// The server rejected a statement; see `sqlState`.
        case query
        /// No connection became free within `acquireTimeout`.
        case poolTimeout
        /// The pool was shut down.
        case poolClosed
        /// A statement or health check ran out of time (`statement_timeout`: SQLSTATE 57014).
        case timeout
    }

    public var kind: Kind
    /// The five-character SQLSTATE, on every error the server reported.
    public var sqlState: String?
    /// The violated constraint's name (`PG_DIAG_CONSTRAINT_NAME`), when there is one.
    public var constraint: String?
    /// The table the error is about (`PG_DIAG_TABLE_NAME`), when there is one.
    public var table: String?
    /// The server's (or libpq's) message. Can contain data: shown in `debugDescription` only.
    public var serverMessage: String?
    /// The server's DETAIL line (e.g. the duplicate key's value): `debugDescription` only.
    public var detail: String?

    public init(
        kind: Kind, sqlState: String? = nil, constraint: String? = nil, table: String? = nil,
        serverMessage: String? = nil, detail: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.constraint = constraint
        self.table = table
        self.serverMessage = serverMessage
        self.detail = detail
    }

    /// 23505: a unique or primary key constraint rejected the row.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// 40001: a REPEATABLE READ / SERIALIZABLE transaction must be retried.
    public var isSerializationFailure: Bool { sqlState == "40001" }
    /// 40P01: the server broke a deadlock by aborting this transaction.
    public var isDeadlock: Bool { sqlState == "40P01" }
    /// The connection, not the statement, was the problem: retrying on a fresh connection may work.
    public var isConnectionError: Bool {
        switch kind {
        case .connectionFailed, .connectionLost: return true
        case .query, .poolTimeout, .poolClosed, .timeout: return sqlState.map(Self.isConnectionState) ?? false
        }
    }

    /// Class 08 (connection exception) and the 57P0x "server is shutting down / starting" states.
    static func isConnectionState(_ state: String) -> Bool {
        state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    public var description: String {
        var text: String
        switch kind {
        case .connectionFailed: text = "could not connect to PostgreSQL"
        case .connectionLost: text = "lost the connection to PostgreSQL"
        case .query: text = "PostgreSQL rejected the statement"
        case .poolTimeout: text = "timed out waiting for a free PostgreSQL connection"
        case .poolClosed: text = "the PostgreSQL pool is shut down"
        case .timeout: text = "a PostgreSQL operation timed out"
        }
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        return text
    }

    public var debugDescription: String {
        var text = "PostgresError(kind: \(kind)"
        if let sqlState { text += ", sqlState: \(sqlState)" }
        if let constraint { text += ", constraint: \(constraint)" }
        if let table { text += ", table: \(table)" }
        if let serverMessage { text += ", message: \(serverMessage)" }
        if let detail { text += ", detail: \(detail)" }
        return text + ")"
    }
}

extension PostgresError {
    static let poolClosed = PostgresError(kind: .poolClosed)

    static func misuse(_ message: String) -> PostgresError {
        PostgresError(kind: .query, serverMessage: message)
    }
}
