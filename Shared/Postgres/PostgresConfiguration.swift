/// How a `PostgresPool` connects and how many connections it keeps.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI, e.g. `postgresql://user:pw@127.0.0.1:5432/db`. Never log it as is:
    /// use `redactedURL`.
    public var url: String
    /// Most connections the pool opens (they are opened lazily, on demand).
    public var poolSize: Int
    /// Passed to libpq as `connect_timeout`, rounded up to whole seconds (libpq's minimum is 2).
    public var connectTimeout: Duration
    /// How long a caller waits for a free connection before `PostgresError(kind: .poolTimeout)`.
    public var acquireTimeout: Duration
    /// Server-side `statement_timeout` for every session, if set.
    public var statementTimeout: Duration?
    /// Shown in `pg_stat_activity.application_name`.
    public var applicationName: String

    public init(
        url: String, poolSize: Int = 10, connectTimeout: Duration = .seconds(5),
        acquireTimeout: Duration = .seconds(5), statementTimeout: Duration? = nil, applicationName: String = "coffer"
    ) {
        self.url = url
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.acquireTimeout = acquireTimeout
        self.statementTimeout = statementTimeout
        self.applicationName = applicationName
    }

    /// The URL with its password replaced, safe for logs.
    public var redactedURL: String { PostgresURL.redactingPassword(url) }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a tiny positive duration never becomes zero ("no limit").
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return attoseconds % 1_000_000_000_000_000 > 0 ? millis + 1 : millis
    }
}
