import Foundation
import Postgres
import Shared

/// A fresh, uniquely named database for one test (or one test class), owned by the schema-owner role
/// (`coffer`) and reachable by the runtime role (`coffer_app`), so tests never see each other's data
/// and never touch the shared `coffer` database. Call `drop()` when done.
public final class TestDatabase: Sendable {
    public let name: String
    /// As the owner role: run migrations with this.
    public let ownerURL: String
    /// As the runtime role: what a service uses.
    public let appURL: String
    /// As the superuser, connected to this database.
    public let adminURL: String
    public let ownerRole: String
    public let appRole: String
    private let serverAdminURL: String

    private init(name: String, ownerURL: String, appURL: String, adminURL: String, serverAdminURL: String) throws {
        self.name = name
        self.ownerURL = ownerURL
        self.appURL = appURL
        self.adminURL = adminURL
        self.serverAdminURL = serverAdminURL
        guard let owner = PostgresURL.user(in: ownerURL), let app = PostgresURL.user(in: appURL) else {
            throw TestDatabaseError("DATABASE_OWNER_URL and DATABASE_URL must name their users")
        }
        ownerRole = owner
        appRole = app
    }

    /// Creates `coffer_test_<random>` via `TEST_DATABASE_ADMIN_URL`, owned by `DATABASE_OWNER_URL`'s
    /// user; the URLs are the environment's with the database name swapped.
    public static func create() async throws -> TestDatabase {
        let serverAdmin = try TestEnvironment.adminURL()
        let owner = try TestEnvironment.ownerURL()
        let app = try TestEnvironment.appURL()
        let name = "coffer_test_" + Hex.encode((0..<6).map { _ in UInt8.random(in: 0...255) })
        guard let ownerURL = PostgresURL.replacingDatabase(in: owner, with: name),
            let appURL = PostgresURL.replacingDatabase(in: app, with: name),
            let adminURL = PostgresURL.replacingDatabase(in: serverAdmin, with: name)
        else {
            throw TestDatabaseError(
                "TEST_DATABASE_ADMIN_URL, DATABASE_URL and DATABASE_OWNER_URL must be postgresql:// URIs")
        }
        let database = try TestDatabase(
            name: name, ownerURL: ownerURL, appURL: appURL, adminURL: adminURL, serverAdminURL: serverAdmin)
        try await withAdminPool(serverAdmin) { pool in
            // template0: nobody is ever connected to it, so parallel creates never collide.
            try await pool.execute(
                "CREATE DATABASE \(identifier: name) OWNER \(identifier: database.ownerRole) TEMPLATE template0")
        }
        return database
    }

    /// Drops the database, disconnecting whoever is still connected.
    public func drop() async throws {
        try await Self.withAdminPool(serverAdminURL) { pool in
            try await pool.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
        }
    }

    /// A pool on this database. `role` picks the owner or the runtime role.
    public func pool(
        _ role: Role = .owner, poolSize: Int = 4, applicationName: String = "coffer-test",
        acquireTimeout: Duration = .seconds(5)
    ) -> PostgresPool {
        let url: String
        switch role {
        case .owner: url = ownerURL
        case .app: url = appURL
        case .admin: url = adminURL
        }
        return PostgresPool(
            configuration: PostgresConfiguration(
                url: url, poolSize: poolSize, acquireTimeout: acquireTimeout, applicationName: applicationName),
            logger: TestEnvironment.logger())
    }

    /// Which role a pool connects as: the schema owner, the runtime role, or the superuser.
    public enum Role: Sendable {
        case owner, app, admin
    }

    private static func withAdminPool(_ url: String, _ body: (PostgresPool) async throws -> Void) async throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: url, poolSize: 1, applicationName: "coffer-test-admin"),
            logger: TestEnvironment.logger())
        do {
            try await body(pool)
            await pool.shutdown()
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}

/// A test database or cluster could not be set up; the message says why.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
