import Foundation
import Postgres
import Shared
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

final class LoggingTests: PostgresTestCase {
    func testConnectFailureLogNeverShowsThePassword() async throws {
        let password = "not-the-password-\(UInt32.random(in: 0...UInt32.max))"
        let owner = try XCTUnwrap(PostgresURL.user(in: database.ownerURL))
        let host = try XCTUnwrap(database.ownerURL.split(separator: "@").last)
        let url = "postgresql://\(owner):\(password)@\(host)"
        let path = NSTemporaryDirectory() + "coffer-log-\(UUID().uuidString).jsonl"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer {
            close(fd)
            unlink(path)
        }
        let sink = LogSink(fileDescriptor: fd)
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: url, poolSize: 1),
            logger: Logger(service: "test", minimumLevel: .debug, sink: sink))
        do {
            _ = try await pool.query("SELECT 1")
            XCTFail("the password is wrong")
        } catch let error as PostgresError {
            XCTAssertEqual(error.kind, .connectionFailed)
            XCTAssertFalse(String(reflecting: error).contains(password))
        }
        await pool.shutdown()
        sink.flush()
        // The sink's writer thread may still be writing what it took before the flush.
        await eventually("the log line is written") {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains("postgres pool shut down")
        }
        let log = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(log.contains("postgres connect failed"), log)
        XCTAssertTrue(log.contains(":***@"), log)
        XCTAssertFalse(log.contains(password), "the password reached the log")
    }
}
