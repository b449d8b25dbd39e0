// TEMPORARY: the shape of Platform's audit log (branch `audit`), so payments compiles before it
// lands. Deleted when that branch merges.
import Postgres
import Shared

struct AuditEntry: Sendable {
    var tenantID: String?
    var actor: String
    var action: String
    var objectType: String
    var objectID: String
    var before: JSONValue?
    var after: JSONValue?
    var correlationID: String?
}

struct AuditLog: Sendable {
    let schema: String
    func record(_ entry: AuditEntry, on connection: PostgresConnection) async throws {}
}
