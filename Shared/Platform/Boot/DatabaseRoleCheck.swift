import Foundation
import Postgres
import Shared

/// The schema is not (yet) at the version this build needs and this process may not migrate it.
public struct MigrationsPending: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension ServiceRuntime {
    /// Without the owner's credentials a service never migrates: it waits (up to
    /// `DATABASE_STARTUP_TIMEOUT`) for the migration job to bring its schema to this build's version.
    func waitForMigrations() async throws {
        let latest = Int64(identity.migrations.last?.version ?? 0)
        let deadline = ContinuousClock.now + configuration.databaseStartupTimeout
        var attempt = 0
        while true {
            attempt += 1
            let applied = try? await database.query("""
                SELECT coalesce(max(version), 0)::bigint FROM \(unsafeSQL: identity.schema).schema_migrations
                """).first?.decode(Int64.self, at: 0)
            if let applied, applied >= latest {
                logger.info("schema is up to date", ["schema": .string(identity.schema), "version": .int(applied)])
                return
            }
            guard ContinuousClock.now < deadline else {
                throw MigrationsPending(message: "the \(identity.schema) schema is at version \(applied ?? 0), this build needs \(latest): run the "
                                        + "migration job (coffer-\(identity.name) --migrate with DATABASE_OWNER_URL) first")
            }
            if attempt == 1 || attempt % 10 == 0 {
                logger.warning("waiting for migrations", ["schema": .string(identity.schema), "applied": .int(applied ?? 0), "needed": .int(latest)])
            }
            try await Task.sleep(for: .milliseconds(min(2000, 200 * attempt)))
        }
    }

    /// Row-level security binds only a role that is not a superuser, has no BYPASSRLS and owns none of
    /// the tables: a service running as anything else would silently see every tenant's rows. In
    /// production such a process refuses to start; elsewhere it says so loudly.
    func checkRuntimeRole() async {
        let problems: [String]
        do {
            problems = try await Self.runtimeRoleProblems(database, schema: identity.schema)
        } catch {
            logger.warning("could not check the runtime role", ["error": .string(String(describing: error))])
            return
        }
        guard !problems.isEmpty else { return }
        if configuration.environment == .production {
            logger.critical("refusing to run: the database role bypasses row-level security", ["problems": .string(problems.joined(separator: "; "))])
            let message = "\(identity.name): DATABASE_URL's role \(problems.joined(separator: "; ")); "
                + "give services a role that owns nothing (the owner role is for the migration job only)\n"
            FileHandle.standardError.write(Data(message.utf8))
            logger.sink.flush()
            exit(ConfigError.exitCode)
        }
        logger.warning("the database role bypasses row-level security (refused in production)",
                       ["problems": .string(problems.joined(separator: "; "))])
    }

    static func runtimeRoleProblems(_ database: PostgresPool, schema: String) async throws -> [String] {
        guard let row = try await database.query("""
            SELECT r.rolsuper, r.rolbypassrls,
                   (SELECT count(*) FROM pg_tables t WHERE t.schemaname = \(schema) AND t.tableowner = current_user)::bigint
            FROM pg_roles r WHERE r.rolname = current_user
            """).first else { return [] }
        let (superuser, bypass, owned) = try row.decode((Bool, Bool, Int64).self)
        var problems: [String] = []
        if superuser { problems.append("is a superuser") }
        if bypass { problems.append("has BYPASSRLS") }
        if owned > 0 { problems.append("owns \(owned) of the \(schema) schema's tables") }
        return problems
    }
}
