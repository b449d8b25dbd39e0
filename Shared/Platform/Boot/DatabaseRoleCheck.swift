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
            let applied = try? await database.query(
                """
                SELECT coalesce(max(version), 0)::bigint FROM \(unsafeSQL: identity.schema).schema_migrations
                """
            ).first?.decode(Int64.self, at: 0)
            if let applied, applied >= latest {
                logger.info("schema is up to date", ["schema": .string(identity.schema), "version": .int(applied)])
                return
            }
            guard ContinuousClock.now < deadline else {
                throw MigrationsPending(
                    message:
                        "the \(identity.schema) schema is at version \(applied ?? 0), this build needs \(latest): run the "
                        + "migration job (coffer-\(identity.name) --migrate with DATABASE_OWNER_URL) first")
            }
            if attempt == 1 || attempt % 10 == 0 {
                logger.warning(
                    "waiting for migrations",
                    ["schema": .string(identity.schema), "applied": .int(applied ?? 0), "needed": .int(latest)])
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
            if let missing = try await Self.platformRoleProblem(database) {
                // Without it no cross-tenant work (key lookups, snapshots, background loops) can run at all.
                logger.critical(
                    "refusing to run: the database role cannot switch to the platform role",
                    ["problem": .string(missing)])
                FileHandle.standardError.write(Data("\(identity.name): \(missing)\n".utf8))
                logger.sink.flush()
                exit(ConfigError.exitCode)
            }
            problems = try await Self.runtimeRoleProblems(database, schema: identity.schema)
        } catch {
            logger.warning("could not check the runtime role", ["error": .string(String(describing: error))])
            return
        }
        guard !problems.isEmpty else { return }
        if configuration.environment == .production {
            logger.critical(
                "refusing to run: the database role bypasses row-level security",
                ["problems": .string(problems.joined(separator: "; "))])
            let message =
                "\(identity.name): DATABASE_URL's role \(problems.joined(separator: "; ")); "
                + "give services a role that owns nothing (the owner role is for the migration job only)\n"
            FileHandle.standardError.write(Data(message.utf8))
            logger.sink.flush()
            exit(ConfigError.exitCode)
        }
        logger.warning(
            "the database role bypasses row-level security (refused in production)",
            ["problems": .string(problems.joined(separator: "; "))])
    }

    static func runtimeRoleProblems(_ database: PostgresPool, schema: String) async throws -> [String] {
        guard
            let row = try await database.query(
                """
                SELECT r.rolsuper, r.rolbypassrls,
                       (SELECT count(*) FROM pg_tables t WHERE t.schemaname = \(schema) AND t.tableowner = current_user)::bigint,
                       coalesce((SELECT pg_has_role(current_user, p.oid, 'USAGE') FROM pg_roles p WHERE p.rolname = \(PlatformRole.name)), false)
                FROM pg_roles r WHERE r.rolname = current_user
                """
            ).first
        else { return [] }
        let (superuser, bypass, owned, inheritsPlatform) = try row.decode((Bool, Bool, Int64, Bool).self)
        var problems: [String] = []
        if superuser { problems.append("is a superuser") }
        if bypass { problems.append("has BYPASSRLS") }
        if owned > 0 { problems.append("owns \(owned) of the \(schema) schema's tables") }
        if inheritsPlatform, !superuser {
            problems.append(
                "inherits \(PlatformRole.name)'s privileges, so every query sees every tenant (ALTER ROLE … NOINHERIT)")
        }
        return problems
    }

    /// Nil when the runtime role may switch to the platform role; otherwise what to run.
    static func platformRoleProblem(_ database: PostgresPool) async throws -> String? {
        let row = try await database.query(
            """
            SELECT current_user::text,
                   (SELECT pg_has_role(current_user, p.oid, 'MEMBER') FROM pg_roles p WHERE p.rolname = \(PlatformRole.name))
            """
        ).first
        guard let (role, member) = try row?.decode((String, Bool?).self) else { return nil }
        switch member {
        case true?: return nil
        case false?:
            return "DATABASE_URL's role \(role) is not a member of \(PlatformRole.name); as a superuser run: "
                + PlatformRole.setupSQL(runtimeRole: role).components(separatedBy: "; ").dropFirst().joined(
                    separator: "; ")
        case nil:
            return "the database role \(PlatformRole.name) does not exist; as a superuser run: "
                + PlatformRole.setupSQL(runtimeRole: role)
        }
    }
}
