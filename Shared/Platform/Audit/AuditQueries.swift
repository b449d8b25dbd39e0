import HTTP
import Postgres
import Shared

/// A tenant's own audit trail as a Stripe-shaped list, newest first (payments serves it as
/// `GET /v1/audit` behind its API-key authentication). Each item:
///
///     {"id":"aud_42","object":"audit_entry","actor":"key_…","action":"payment.created",
///      "object_type":"payment","object_id":"pay_…","before":null,"after":{…},"correlation_id":"…",
///      "occurred_at":"2026-11-21T16:48:00.123456Z","created":1795286880,
///      "chain_seq":7,"prev_hash":"…","hash":"…"}
///
/// `chain_seq`, `prev_hash` and `hash` are null until the row is sealed (moments after it is written);
/// with them a tenant can check its own chain against `AuditChain`'s definition.
public enum AuditQueries {
    /// `aud_<row id>`.
    public static let idPrefix = "aud_"

    public struct Page: Sendable {
        public let items: [JSONValue]
        public let hasMore: Bool

        /// `{"object":"list","data":[…],"has_more":…}`.
        public var body: [UInt8] { ListParameters.page(items, hasMore: hasMore) }
    }

    /// Up to `limit` (1…100) entries of `tenantID`, newest first, after the entry `startingAfter`
    /// (an `aud_…` id). A malformed cursor is a 400.
    public static func list(
        schema: String, tenantID: String, limit: Int, startingAfter: String?,
        on database: PostgresPool
    ) async throws -> Page {
        try await database.withConnection { connection in
            try await list(
                schema: schema, tenantID: tenantID, limit: limit, startingAfter: startingAfter, on: connection)
        }
    }

    /// The same on a connection the caller holds (e.g. inside a transaction that set `app.tenant_id`).
    public static func list(
        schema: String, tenantID: String, limit: Int, startingAfter: String?,
        on connection: PostgresConnection
    ) async throws -> Page {
        let pageSize = min(max(limit, 1), 100)
        var cursor: Int64?
        if let startingAfter {
            guard let id = rowID(startingAfter) else {
                throw HTTPError.badRequest(
                    "starting_after must be an audit entry id (aud_…).", code: "invalid_parameter",
                    param: "starting_after")
            }
            cursor = id
        }
        let rows = try await connection.query(
            """
            SELECT a.chain_seq, a.prev_hash, a.hash, floor(extract(epoch FROM a.occurred_at))::bigint,
                   \(unsafeSQL: AuditRowContent.selectList)
            FROM \(unsafeSQL: schema).audit_log a
            WHERE a.tenant_id = \(tenantID) AND (\(cursor)::bigint IS NULL OR a.id < \(cursor))
            ORDER BY a.id DESC LIMIT \(pageSize + 1)
            """)
        var items: [JSONValue] = []
        for row in rows.prefix(pageSize) {
            let (chainSeq, prevHash, hash, created) = try row.decode(
                (Int64?, String?, String?, Int64).self, startingAt: 0)
            let content = try AuditRowContent(row: row, at: 4)
            items.append(item(content, created: created, chainSeq: chainSeq, prevHash: prevHash, hash: hash))
        }
        return Page(items: items, hasMore: rows.count > pageSize)
    }

    /// The row id in an `aud_…` id; nil when it is not one.
    public static func rowID(_ id: String) -> Int64? {
        guard id.hasPrefix(idPrefix), let value = Int64(id.dropFirst(idPrefix.count)), value > 0 else { return nil }
        return value
    }

    static func item(_ content: AuditRowContent, created: Int64, chainSeq: Int64?, prevHash: String?, hash: String?)
        -> JSONValue
    {
        [
            "id": .string(idPrefix + String(content.id)), "object": "audit_entry", "actor": .string(content.actor),
            "action": .string(content.action), "object_type": .string(content.objectType),
            "object_id": .string(content.objectID),
            "before": content.before ?? .null, "after": content.after ?? .null,
            "correlation_id": content.correlationID.map(JSONValue.string) ?? .null,
            "occurred_at": .string(content.occurredAt),
            "created": .int(created), "chain_seq": chainSeq.map(JSONValue.int) ?? .null,
            "prev_hash": prevHash.map(JSONValue.string) ?? .null, "hash": hash.map(JSONValue.string) ?? .null,
        ]
    }
}
