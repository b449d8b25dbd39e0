import Foundation
import HTTP
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

/// Issue 9, item 10: only the migration job holds the owner's credentials; a service runs as a role
/// that row-level security binds, and in production refuses to run as anything else.
final class DatabaseRoleTests: XCTestCase {
    /// Payments' own pairs only, as production requires.
    var ownPairs: String {
        TestStackEnvironment.internalSecrets.split(separator: ",").filter {
            $0.hasPrefix("payments>") || $0.contains(">payments:")
        }
        .joined(separator: ",")
    }

    func environment(_ database: TestDatabase, url: String, owner: String?, production: Bool = false) -> [String:
        String]
    {
        var env = TestStackEnvironment.variables(
            database: database,
            extra: [
                "DATABASE_URL": url, "DATABASE_STARTUP_TIMEOUT": "2s", "COFFER_INTERNAL_SECRETS": ownPairs,
            ])
        env["DATABASE_OWNER_URL"] = owner ?? ""
        if production { env["COFFER_ENV"] = "production" }
        return env
    }

    func testServicesWithoutOwnerCredentialsWaitForTheMigrationJob() async throws {
        let database = try await TestDatabase.create()
        defer { Task { try? await database.drop() } }
        // No owner credentials and an empty schema: the service does not migrate, it waits, then says what to do.
        let early = try ServiceProcess(
            binary: "coffer-payments", environment: environment(database, url: database.appURL, owner: nil))
        let code = await early.waitForExit(timeout: .seconds(30))
        XCTAssertEqual(code, 1, early.output.suffix(2000).description)
        XCTAssertTrue(early.output.contains("--migrate"), early.output.suffix(2000).description)
        // The migration job: owner credentials, --migrate, exits when done.
        let job = try ServiceProcess(
            binary: "coffer-payments",
            environment: environment(database, url: database.appURL, owner: database.ownerURL),
            arguments: ["--migrate"])
        let jobCode = await job.waitForExit(timeout: .seconds(60))
        XCTAssertEqual(jobCode, 0, job.output.suffix(2000).description)
        // Now the service starts without ever holding the owner's credentials.
        let service = try ServiceProcess(
            binary: "coffer-payments",
            environment: environment(
                database, url: database.appURL, owner: nil,
                production: true))
        try await service.waitUntilReady()
        XCTAssertFalse(service.output.contains("bypasses row-level security"), service.output.suffix(2000).description)
        await service.stop()
    }

    func testInProductionARoleThatBypassesRowLevelSecurityIsRefused() async throws {
        let database = try await TestDatabase.create()
        defer { Task { try? await database.drop() } }
        for (url, expected) in [(database.ownerURL, "owns"), (database.adminURL, "superuser")] {
            let process = try ServiceProcess(
                binary: "coffer-payments",
                environment: environment(
                    database, url: url, owner: database.ownerURL,
                    production: true))
            let code = await process.waitForExit(timeout: .seconds(60))
            XCTAssertEqual(code, 78, process.output.suffix(2000).description)
            XCTAssertTrue(process.output.contains(expected), process.output.suffix(2000).description)
        }
        // Outside production the same role starts, with a warning.
        let dev = try ServiceProcess(
            binary: "coffer-payments",
            environment: environment(database, url: database.ownerURL, owner: database.ownerURL))
        try await dev.waitUntilReady()
        XCTAssertTrue(dev.output.contains("bypasses row-level security"))
        await dev.stop()
    }

    /// `app.scope = 'platform'` used to lift row-level security for any SQL that set it. Cross-tenant work
    /// is now the `coffer_platform` role, which the runtime role may switch to but does not inherit.
    func testSettingTheOldPlatformScopeNoLongerLiftsRowLevelSecurity() async throws {
        let harness = try await PaymentsHarness.start()
        do {
            _ = try await harness.createTenant()
            _ = try await harness.createTenant()
            let app = harness.database.pool(.app)
            defer { Task { await app.shutdown() } }
            let asSetting = try await app.transaction(localSettings: ["app.scope": "platform"]) { connection in
                try await connection.query("SELECT count(*)::bigint FROM payments.tenants").first?.decode(
                    Int64.self, at: 0) ?? -1
            }
            XCTAssertEqual(asSetting, 0, "the setting alone still lifts row-level security")
            let unscoped = try await app.query("SELECT count(*)::bigint FROM payments.api_keys").first?.decode(
                Int64.self, at: 0)
            XCTAssertEqual(unscoped, 0)
            let asRole = try await app.platformTransaction { connection in
                try await connection.query("SELECT count(*)::bigint FROM payments.tenants").first?.decode(
                    Int64.self, at: 0) ?? -1
            }
            XCTAssertEqual(asRole, 2)
            // The role is only for the transaction: the next one on the same pool is bound again.
            let after = try await app.query("SELECT count(*)::bigint, current_user::text FROM payments.tenants").first?
                .decode((Int64, String).self)
            XCTAssertEqual(after?.0, 0)
            XCTAssertEqual(after?.1, harness.database.appRole)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// A runtime role that inherits the platform role sees every tenant in every query: refused in
    /// production. A role that cannot switch to it cannot do cross-tenant work at all: refused everywhere,
    /// with the statements to run.
    func testARuntimeRoleMustSwitchToThePlatformRoleAndNeverInheritIt() async throws {
        let database = try await TestDatabase.create()
        let admin = database.pool(.admin)
        let suffix = Hex.encode((0..<4).map { _ in UInt8.random(in: 0...255) })
        let inheriting = "coffer_inherit_\(suffix)", outsider = "coffer_outsider_\(suffix)"
        let password = "pw" + suffix
        func url(_ role: String) -> String {
            var components = URLComponents(string: database.appURL)!
            components.user = role
            components.password = password
            return components.string!
        }
        do {
            try await admin.execute(
                "CREATE ROLE \(identifier: inheriting) LOGIN INHERIT PASSWORD '\(unsafeSQL: password)'")
            try await admin.execute("GRANT coffer_platform TO \(identifier: inheriting)")
            try await admin.execute(
                "CREATE ROLE \(identifier: outsider) LOGIN NOINHERIT PASSWORD '\(unsafeSQL: password)'")
            let inherits = try ServiceProcess(
                binary: "coffer-payments",
                environment: environment(
                    database, url: url(inheriting), owner: database.ownerURL,
                    production: true))
            await XCTAssertEqualAsync(
                await inherits.waitForExit(timeout: .seconds(60)), 78, inherits.output.suffix(2000).description)
            XCTAssertTrue(
                inherits.output.contains("inherits coffer_platform"), inherits.output.suffix(2000).description)
            let outside = try ServiceProcess(
                binary: "coffer-payments",
                environment: environment(database, url: url(outsider), owner: database.ownerURL))
            await XCTAssertEqualAsync(
                await outside.waitForExit(timeout: .seconds(60)), 78, outside.output.suffix(2000).description)
            XCTAssertTrue(outside.output.contains("GRANT coffer_platform TO"), outside.output.suffix(2000).description)
        } catch {
            XCTFail("\(error)")
        }
        await admin.shutdown()
        try? await database.drop()
        let cleanup = PostgresPool(
            configuration: PostgresConfiguration(url: try TestEnvironment.adminURL(), poolSize: 1),
            logger: TestEnvironment.logger())
        for role in [inheriting, outsider] { try? await cleanup.execute("DROP ROLE IF EXISTS \(identifier: role)") }
        await cleanup.shutdown()
    }
}
