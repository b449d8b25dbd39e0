/// A snapshot of a pool, for metrics and readiness.
public struct PostgresPoolStatistics: Sendable, Equatable {
    /// The configured maximum.
    public var size: Int
    /// Connections open or being opened.
    public var open: Int
    /// Open and free.
    public var idle: Int
    /// Lent to a caller (or being opened for one).
    public var inUse: Int
    /// Callers waiting for a connection.
    public var waiters: Int
}
