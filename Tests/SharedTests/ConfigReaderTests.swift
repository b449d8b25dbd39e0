import XCTest

@testable import Shared

final class ConfigReaderTests: XCTestCase {
    func testEveryProblemIsReportedInOneMessage() {
        var reader = ConfigReader(
            service: "payments", environment: ["PORT": "http", "LOG_FORMAT": "x", "RETRIES": "99"])
        _ = reader.string("DATABASE_URL", secret: true)
        _ = reader.string("COFFER_MASTER_KEY", secret: true)
        _ = reader.int("PORT", default: 8081, range: 1...65535)
        _ = reader.int("RETRIES", default: 3, range: 0...10)
        XCTAssertThrowsError(try reader.finish()) { error in
            let text = String(describing: error)
            XCTAssertEqual((error as? ConfigError)?.problems.count, 4)
            XCTAssertTrue(text.hasPrefix("payments: configuration is invalid (4 problems):"), text)
            XCTAssertTrue(text.contains("  - DATABASE_URL is required but not set"))
            XCTAssertTrue(text.contains("  - COFFER_MASTER_KEY is required but not set"))
            XCTAssertTrue(text.contains("  - PORT must be an integer, got \"http\""))
            XCTAssertTrue(text.contains("  - RETRIES must be between 0 and 10, got 99"))
        }
        XCTAssertEqual(ConfigError.exitCode, 78)
    }

    func testFileVariantsForSecrets() throws {
        let files = ["/run/secrets/db": "postgresql://u:p@h/db\n", "/run/secrets/empty": "\n"]
        var reader = ConfigReader(
            service: "s",
            environment: [
                "DATABASE_URL_FILE": "/run/secrets/db", "A_FILE": "/run/secrets/missing", "B": "x",
                "B_FILE": "/run/secrets/db",
                "C_FILE": "/run/secrets/empty",
            ]
        ) { path in
            guard let text = files[path] else { throw CocoaLikeError() }
            return text
        }
        XCTAssertEqual(reader.string("DATABASE_URL", secret: true), "postgresql://u:p@h/db")
        _ = reader.optionalString("A", secret: true)
        _ = reader.optionalString("B")
        _ = reader.optionalString("C")
        let problems = reader.problems
        XCTAssertEqual(problems.count, 3)
        XCTAssertTrue(problems.contains("A_FILE names a file that cannot be read (/run/secrets/missing)"))
        XCTAssertTrue(problems.contains("B and B_FILE are both set; set only one"))
        XCTAssertTrue(problems.contains("C_FILE names an empty file (/run/secrets/empty)"))
        XCTAssertFalse(problems.joined().contains("u:p"), "secret values never appear")
    }

    func testTypedValues() throws {
        var reader = ConfigReader(
            service: "s",
            environment: [
                "FLAG": "yes", "OFF": "0", "WAIT": "250ms", "LONG": "2h", "DAYS": "30d", "BARE": "15",
                "LIST": "a, b,,c",
                "URL": "http://host:8080/", "BADURL": "ftp://x", "MODE": "live",
            ])
        XCTAssertTrue(reader.bool("FLAG", default: false))
        XCTAssertFalse(reader.bool("OFF", default: true))
        XCTAssertEqual(reader.duration("WAIT", default: .zero), .milliseconds(250))
        XCTAssertEqual(reader.duration("LONG", default: .zero), .seconds(7200))
        XCTAssertEqual(reader.duration("DAYS", default: .zero), .seconds(30 * 86_400))
        XCTAssertEqual(reader.duration("BARE", default: .zero), .seconds(15))
        XCTAssertEqual(reader.list("LIST"), ["a", "b", "c"])
        XCTAssertEqual(reader.url("URL"), "http://host:8080")
        _ = reader.url("BADURL")
        _ = reader.choice("MODE", default: "test", allowed: ["test", "sandbox"])
        XCTAssertEqual(reader.problems.count, 2)
        XCTAssertEqual(ConfigReader.parseDuration("-5s"), nil)
        XCTAssertEqual(ConfigReader.parseDuration("5 minutes"), nil)
    }
}

private struct CocoaLikeError: Error {}
