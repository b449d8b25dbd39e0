import Shared

/// Applies a service's migrations to its schema, safely when several replicas start at once.
///
/// `migrate` creates the schema and `<schema>.schema_migrations`, takes a session advisory lock keyed
/// by the schema (so concurrent migrators run one after another), verifies every applied migration's
/// checksum (a mismatch throws and applies nothing), then applies the pending ones in order, each in
/// its own transaction together with its record. Applied versions the code does not know (a newer
/// binary ran) are logged, not refused. Running it again is a no-op.
public struct Migrator: Sendable {
    public let pool: PostgresPool
    public let schema: String
    public let migrations: [Migration]
    let logger: Logger

    /// `pool` must connect as the schema's owner (the role that may create and alter its tables).
    public init(pool: PostgresPool, schema: String, migrations: [Migration], logger: Logger) {
        self.pool = pool
        self.schema = schema
        self.migrations = migrations
        self.logger = logger.with(["db.schema": .string(schema)])
    }

    /// Applies pending migrations and returns their versions (empty when there were none). If
    /// `runtimeRole` is given, it is then granted what a service needs at run time: USAGE on the
    /// schema, SELECT/INSERT/UPDATE/DELETE on its tables (only SELECT on `schema_migrations`),
    /// USAGE/SELECT on sequences, EXECUTE on functions, and the same by default on future ones.
    public func migrate(grantTo runtimeRole: String? = nil) async throws -> [Int] {
        try await migrate(grantTo: runtimeRole.map { [$0] } ?? [])
    }

    /// The same, granting each of `roles` (the runtime role, and roles it switches to for a
    /// transaction, such as a platform scope). A role that does not exist is skipped with a warning.
    public func migrate(grantTo roles: [String]) async throws -> [Int] {
        try validateList()
        let lockKey = advisoryLockKey
        return try await pool.withConnection { connection in
            _ = try await connection.query("SELECT pg_advisory_lock(\(lockKey))")
            do {
                let applied = try await migrateLocked(connection, grantTo: roles)
                try await unlock(connection, key: lockKey)
                return applied
            } catch {
                try? await connection.executeScript(unsafeSQL: "ROLLBACK")
                try? await unlock(connection, key: lockKey)
                throw error
            }
        }
    }

    /// Versions in the code not yet recorded as applied (for readiness checks). Needs only SELECT.
    public func pendingVersions() async throws -> [Int] {
        let rows = try await pool.query("SELECT version FROM \(unsafeSQL: table)")
        let applied = Set(try rows.map { try $0.decode(Int.self, at: 0) })
        return migrations.map(\.version).filter { !applied.contains($0) }
    }

    var quotedSchema: String { PostgresQuery.quoteIdentifier(schema) }
    var table: String { quotedSchema + ".schema_migrations" }

    /// Stable per schema, so every replica and binary version takes the same lock.
    var advisoryLockKey: Int64 {
        let digest = SHA256.hash("coffer.migrations." + schema)
        return Int64(bitPattern: digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
    }

    func validateList() throws(MigrationError) {
        var seen = Set<Int>()
        for migration in migrations {
            guard migration.version >= 1 else { throw MigrationError(kind: .invalidVersion(migration.version)) }
            guard seen.insert(migration.version).inserted else {
                throw MigrationError(kind: .duplicateVersion(migration.version))
            }
        }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where next.version < previous.version {
            throw MigrationError(kind: .outOfOrder(version: next.version, after: previous.version))
        }
    }

    private func migrateLocked(_ connection: PostgresConnection, grantTo roles: [String]) async throws -> [Int] {
        // Created under the lock: concurrent CREATE ... IF NOT EXISTS can still collide.
        try await connection.executeScript(
            unsafeSQL: """
                CREATE SCHEMA IF NOT EXISTS \(quotedSchema);
                CREATE TABLE IF NOT EXISTS \(table) (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    duration_ms bigint NOT NULL
                );
                """)
        let recorded = try await connection.query(
            "SELECT version, name, checksum FROM \(unsafeSQL: table) ORDER BY version")
        var appliedChecksums: [Int: String] = [:]
        for row in recorded {
            let (version, name, checksum) = try row.decode((Int, String, String).self)
            appliedChecksums[version] = checksum
            if !migrations.contains(where: { $0.version == version }) {
                logger.warning(
                    "applied migration unknown to this binary (a newer version ran)",
                    ["db.migration.version": .integer(version), "db.migration.name": .string(name)])
            }
        }
        // Check all before applying any: a tampered history stops start-up with nothing changed.
        for migration in migrations {
            if let recordedChecksum = appliedChecksums[migration.version], recordedChecksum != migration.checksum {
                throw MigrationError(
                    kind: .checksumMismatch(version: migration.version, name: migration.name),
                    recordedChecksum: recordedChecksum, currentChecksum: migration.checksum)
            }
        }
        var applied: [Int] = []
        let newest = appliedChecksums.keys.max() ?? 0
        for migration in migrations where appliedChecksums[migration.version] == nil {
            if migration.version < newest {
                logger.warning(
                    "applying a migration older than the newest applied one",
                    ["db.migration.version": .integer(migration.version), "db.migration.newest": .integer(newest)])
            }
            try await apply(migration, on: connection)
            applied.append(migration.version)
        }
        for role in roles {
            let exists = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)").first != nil
            guard exists else {
                logger.warning("not granting a role that does not exist", ["db.role": .string(role)])
                continue
            }
            try await grant(to: role, on: connection)
        }
        return applied
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let started = ContinuousClock.now
        do {
            try await connection.executeScript(
                unsafeSQL: "BEGIN; SET LOCAL search_path TO \(quotedSchema), public;")
            try await connection.executeScript(unsafeSQL: migration.sql)
            let milliseconds = (ContinuousClock.now - started).roundedUpMilliseconds
            try await connection.execute(
                """
                INSERT INTO \(unsafeSQL: table) (version, name, checksum, duration_ms)
                VALUES (\(migration.version), \(migration.name), \(migration.checksum), \(milliseconds))
                """)
            try await connection.executeScript(unsafeSQL: "COMMIT")
            logger.info(
                "migration applied",
                [
                    "db.migration.version": .integer(migration.version), "db.migration.name": .string(migration.name),
                    "db.duration_ms": .int(milliseconds),
                ])
        } catch let error as PostgresError {
            try? await connection.executeScript(unsafeSQL: "ROLLBACK")
            logger.error(
                "migration failed",
                [
                    "db.migration.version": .integer(migration.version), "db.migration.name": .string(migration.name),
                    "error": .string(error.debugDescription),
                ])
            throw MigrationError(kind: .failed(version: migration.version, name: migration.name), underlying: error)
        }
    }

    private func grant(to role: String, on connection: PostgresConnection) async throws {
        let grantee = PostgresQuery.quoteIdentifier(role)
        try await connection.executeScript(
            unsafeSQL: """
                GRANT USAGE ON SCHEMA \(quotedSchema) TO \(grantee);
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \(quotedSchema) TO \(grantee);
                REVOKE INSERT, UPDATE, DELETE ON \(table) FROM \(grantee);
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA \(quotedSchema) TO \(grantee);
                GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA \(quotedSchema) TO \(grantee);
                ALTER DEFAULT PRIVILEGES IN SCHEMA \(quotedSchema) GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \(grantee);
                ALTER DEFAULT PRIVILEGES IN SCHEMA \(quotedSchema) GRANT USAGE, SELECT ON SEQUENCES TO \(grantee);
                ALTER DEFAULT PRIVILEGES IN SCHEMA \(quotedSchema) GRANT EXECUTE ON FUNCTIONS TO \(grantee);
                """)
    }

    private func unlock(_ connection: PostgresConnection, key: Int64) async throws {
        do {
            _ = try await connection.query("SELECT pg_advisory_unlock(\(key))")
        } catch {
            // The lock would stay with this session: make sure the session ends instead of going
            // back to the pool.
            connection.pooled.markUnusable()
            throw error
        }
    }
}
