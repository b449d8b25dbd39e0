import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Issue 9, item 10: only the migration job holds the owner's credentials; a service runs as a role
/// that row-level security binds, and in production refuses to run as anything else.
final class DatabaseRoleTests: XCTestCase {
    /// Payments' own pairs only, as production requires.
    var ownPairs: String {
        TestStackEnvironment.internalSecrets.split(separator: ",").filter { $0.hasPrefix("payments>") || $0.contains(">payments:") }
            .joined(separator: ",")
    }

    func environment(_ database: TestDatabase, url: String, owner: String?, production: Bool = false) -> [String: String] {
        var env = TestStackEnvironment.variables(database: database, extra: [
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
        let early = try ServiceProcess(binary: "coffer-payments", environment: environment(database, url: database.appURL, owner: nil))
        let code = await early.waitForExit(timeout: .seconds(30))
        XCTAssertEqual(code, 1, early.output.suffix(2000).description)
        XCTAssertTrue(early.output.contains("--migrate"), early.output.suffix(2000).description)
        // The migration job: owner credentials, --migrate, exits when done.
        let job = try ServiceProcess(binary: "coffer-payments", environment: environment(database, url: database.appURL, owner: database.ownerURL),
                                     arguments: ["--migrate"])
        let jobCode = await job.waitForExit(timeout: .seconds(60))
        XCTAssertEqual(jobCode, 0, job.output.suffix(2000).description)
        // Now the service starts without ever holding the owner's credentials.
        let service = try ServiceProcess(binary: "coffer-payments", environment: environment(database, url: database.appURL, owner: nil,
                                                                                              production: true))
        try await service.waitUntilReady()
        XCTAssertFalse(service.output.contains("bypasses row-level security"), service.output.suffix(2000).description)
        await service.stop()
    }

    func testInProductionARoleThatBypassesRowLevelSecurityIsRefused() async throws {
        let database = try await TestDatabase.create()
        defer { Task { try? await database.drop() } }
        for (url, expected) in [(database.ownerURL, "owns"), (database.adminURL, "superuser")] {
            let process = try ServiceProcess(binary: "coffer-payments", environment: environment(database, url: url, owner: database.ownerURL,
                                                                                                  production: true))
            let code = await process.waitForExit(timeout: .seconds(60))
            XCTAssertEqual(code, 78, process.output.suffix(2000).description)
            XCTAssertTrue(process.output.contains(expected), process.output.suffix(2000).description)
        }
        // Outside production the same role starts, with a warning.
        let dev = try ServiceProcess(binary: "coffer-payments", environment: environment(database, url: database.ownerURL, owner: database.ownerURL))
        try await dev.waitUntilReady()
        XCTAssertTrue(dev.output.contains("bypasses row-level security"))
        await dev.stop()
    }
}
