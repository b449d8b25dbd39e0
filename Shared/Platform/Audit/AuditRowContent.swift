import Postgres
import Shared

/// The hashed fields of one `audit_log` row, read the same way by the sealer and the verifier (see
/// `AuditChain` for how they become the canonical text).
public struct AuditRowContent: Sendable, Hashable {
    public var id: Int64
    public var tenantID: String?
    public var actor: String
    public var action: String
    public var objectType: String
    public var objectID: String
    public var before: JSONValue?
    public var after: JSONValue?
    public var correlationID: String?
    /// RFC 3339 UTC with microseconds, as `AuditChain` defines it.
    public var occurredAt: String

    public init(
        id: Int64, tenantID: String?, actor: String, action: String, objectType: String, objectID: String,
        before: JSONValue?, after: JSONValue?, correlationID: String?, occurredAt: String
    ) {
        self.id = id
        self.tenantID = tenantID
        self.actor = actor
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.before = before
        self.after = after
        self.correlationID = correlationID
        self.occurredAt = occurredAt
    }

    /// How many columns `selectList` yields.
    static let columnCount = 10

    /// The columns to select (table alias `a`), in the order `init(row:at:)` reads them. The timestamp is
    /// formatted by PostgreSQL at full precision, so no floating-point date ever touches the hash.
    static let selectList = """
        a.id, a.tenant_id, a.actor, a.action, a.object_type, a.object_id, a.before::text, a.after::text, a.correlation_id,
        to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        """

    /// Reads the `selectList` columns starting at `start`. Throws `AuditContentError` when a stored JSON
    /// value cannot be read back (deeper than `JSONValue.depthCeiling`).
    init(row: PostgresRow, at start: Int) throws {
        let (id, tenantID, actor, action, objectType, objectID, beforeText, afterText, correlationID, occurredAt) =
            try row.decode(
                (Int64, String?, String, String, String, String, String?, String?, String?, String).self,
                startingAt: start)
        func parse(_ text: String?) throws -> JSONValue? {
            guard let text else { return nil }
            do {
                return try JSONValue.parse(text, maxDepth: JSONValue.depthCeiling)
            } catch {
                throw AuditContentError(rowID: id)
            }
        }
        self.init(
            id: id, tenantID: tenantID, actor: actor, action: action, objectType: objectType, objectID: objectID,
            before: try parse(beforeText), after: try parse(afterText), correlationID: correlationID,
            occurredAt: occurredAt)
    }
}

/// A row's `before` or `after` could not be read back as JSON, so its hash cannot be computed.
public struct AuditContentError: Error, Sendable, CustomStringConvertible {
    public let rowID: Int64
    public var description: String { "audit row \(rowID): stored JSON could not be read back" }
}
