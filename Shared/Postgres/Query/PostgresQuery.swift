/// A statement and its text-format bind values. Built by string interpolation, every interpolated
/// value becomes a `$n` parameter, never SQL text:
///
///     let rows = try await pool.query("SELECT id FROM payments WHERE tenant_id = \(tenant) AND amount > \(min)")
///
/// Raw SQL (an identifier chosen by code, never by a client) needs the explicit `\(unsafeSQL: …)`.
/// `nil` optionals bind NULL; `\(array: ids)` binds a Postgres array literal for `= ANY(…)`.
public struct PostgresQuery: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    public var sql: String
    /// `binds[i]` is `$(i+1)`; nil is NULL.
    public var binds: [String?]
    /// Run as a named prepared statement cached per connection (planned once). For hot statements
    /// with fixed text and explicit columns only; see `prepared()`.
    public var usesPreparedStatement = false

    public init(unsafeSQL: String, binds: [String?] = []) {
        self.sql = unsafeSQL
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// This query as a prepared statement, planned once per connection and reused: worth it for a
    /// statement run thousands of times a second whose planning is not free (large CTEs). Its text
    /// must not vary between calls (binds may), and it should name its columns (a `SELECT *` plan
    /// would break when a migration adds a column).
    public func prepared() -> PostgresQuery {
        var copy = self
        copy.usesPreparedStatement = true
        return copy
    }

    /// The SQL text only: bind values may be secrets or personal data, so they are not shown.
    public var description: String { sql }

    /// Collects literal SQL and `$n` binds while the compiler walks an interpolated string.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var sql: String
        var binds: [String?]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A value, bound as the next `$n`.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            bind(value.postgresText)
        }

        /// An optional value: nil binds NULL. (Its own overload, so the compiler does not warn about
        /// interpolating an optional.)
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            bind(value?.postgresText)
        }

        /// Strings as arrays (`WHERE id = ANY(\(array: ids))`); elements are quoted, so nothing escapes.
        public mutating func appendInterpolation(array: [String]) {
            bind(PostgresArrayLiteral.encode(array))
        }

        /// Integers as an array (`WHERE n = ANY(\(array: numbers))`).
        public mutating func appendInterpolation(array: [Int64]) {
            bind(PostgresArrayLiteral.encode(array))
        }

        /// Raw SQL, inserted as is. Only for text the code controls (schema or table names).
        public mutating func appendInterpolation(unsafeSQL: String) {
            sql += unsafeSQL
        }

        /// An identifier (schema, table, role) quoted with double quotes, so any text is safe.
        public mutating func appendInterpolation(identifier: String) {
            sql += PostgresQuery.quoteIdentifier(identifier)
        }

        mutating func bind(_ text: String?) {
            binds.append(text)
            sql += "$"
            sql += String(binds.count)
        }
    }

    /// `"name"` with inner double quotes doubled: safe for any schema, table or role name.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
