import Shared

/// One schema change, kept in code next to the service that owns the schema. Once applied, a
/// migration must never change: the migrator compares `checksum` with the recorded one and refuses to
/// start when they differ. Fix mistakes with a new migration.
///
/// `sql` runs as one script inside the migration's transaction, with `search_path` set to the schema
/// first, so unqualified names land in it. (Function bodies are resolved when called, with the
/// caller's search_path: qualify names in them or give the function `SET search_path`.) It must not contain its own BEGIN/COMMIT, nor statements
/// that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`).
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Hex SHA-256 of `sql`.
    public var checksum: String { Hex.encode(SHA256.hash(sql)) }
}
