import Foundation
import Shared

/// The PostgreSQL that storage tests run against, from the environment `scripts/postgres.sh env`
/// prints. Storage tests never skip: without it they fail, saying how to get one.
public enum TestEnvironment {
    /// A variable the tests need is missing.
    public struct MissingVariable: Error, CustomStringConvertible {
        public let name: String
        public var description: String {
            "\(name) is not set: storage tests run against a real PostgreSQL and never skip. Start one with "
                + "`scripts/postgres.sh start` and export its settings: "
                + "eval \"$(scripts/postgres.sh env | sed 's/^/export /')\" (or run `make test`)."
        }
    }

    public static func require(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw MissingVariable(name: name)
        }
        return value
    }

    /// Superuser URL (`TEST_DATABASE_ADMIN_URL`), used to create and drop test databases.
    public static func adminURL() throws -> String { try require("TEST_DATABASE_ADMIN_URL") }
    /// The runtime role's URL (`DATABASE_URL`, role `coffer_app`).
    public static func appURL() throws -> String { try require("DATABASE_URL") }
    /// The schema owner's URL (`DATABASE_OWNER_URL`, role `coffer`).
    public static func ownerURL() throws -> String { try require("DATABASE_OWNER_URL") }

    /// A logger for tests: quiet (errors only) unless `TEST_LOG_LEVEL` says otherwise.
    public static func logger(_ service: String = "test") -> Logger {
        let level = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(LogLevel.init(name:)) ?? .error
        return Logger(service: service, minimumLevel: level)
    }
}
