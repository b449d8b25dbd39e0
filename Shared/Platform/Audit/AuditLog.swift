import Postgres
import Shared

/// Writes audit rows inside the caller's transaction: the state change and its audit row commit
/// together, and if the change rolls back there is no row. A write is one INSERT; the hash chain is
/// built moments later by `AuditSealer`, so audited writes never wait for each other on the chain.
public struct AuditLog: Sendable {
    public let schema: String
    private let doorbell: Doorbell
    private let insert: String

    /// `doorbell` is shared with this process's `AuditSealer`, so `nudge()` can wake it.
    public init(schema: String, doorbell: Doorbell = Doorbell()) {
        self.schema = schema
        self.doorbell = doorbell
        insert = """
            INSERT INTO \(schema).audit_log (tenant_id, actor, action, object_type, object_id, before, after, correlation_id)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)
            """
    }

    /// The bell this log rings; give it to the sealer.
    public var sealerDoorbell: Doorbell { doorbell }

    /// Inserts `entry` on `connection` (inside the caller's transaction). `before`/`after` are masked
    /// once more (`AuditRedaction`) on the way in.
    public func record(_ entry: AuditEntry, on connection: PostgresConnection) async throws {
        try await connection.execute(try statement(for: entry))
    }

    /// Inserts several entries in one round trip, in order (ids follow the array).
    public func record(_ entries: [AuditEntry], on connection: PostgresConnection) async throws {
        guard !entries.isEmpty else { return }
        if entries.count == 1 { return try await record(entries[0], on: connection) }
        _ = try await connection.pipeline(try entries.map(statement(for:)))
    }

    /// The statements `record` runs, for a caller that pipelines them with its own writes.
    public func recordQueries(_ entries: [AuditEntry]) throws -> [PostgresQuery] {
        try entries.map(statement(for:))
    }

    /// Tells this process's sealer there are new rows (call after the recording transaction committed;
    /// without it they are sealed on the sealer's next idle poll).
    public func nudge() { doorbell.ring() }

    private func statement(for entry: AuditEntry) throws -> PostgresQuery {
        for (name, value) in [
            ("actor", entry.actor), ("action", entry.action), ("object_type", entry.objectType),
            ("object_id", entry.objectID),
        ] where value.isEmpty {
            throw AuditEntryError(description: "audit entry without \(name)")
        }
        if entry.tenantID == AuditChain.platformKey || entry.tenantID?.isEmpty == true {
            throw AuditEntryError(description: "audit entry with an invalid tenant id; use nil for platform actions")
        }
        func json(_ value: JSONValue?) -> String? {
            guard let value, !value.isNull else { return nil }
            return String(decoding: AuditRedaction.mask(value).serialized(canonical: true), as: UTF8.self)
        }
        let binds: [String?] = [
            entry.tenantID, entry.actor, entry.action, entry.objectType, entry.objectID,
            json(entry.before), json(entry.after), entry.correlationID,
        ]
        return PostgresQuery(unsafeSQL: insert, binds: binds).prepared()
    }
}
