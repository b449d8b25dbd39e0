import Ctl
import Foundation
import TestSupport
import XCTest

/// `.run/coffer.env` is read two ways: sourced by a shell (the README's walk-through, `make run`
/// itself) and parsed by cofferctl. Values with shell metacharacters (`COFFER_INTERNAL_SECRETS`'s `>`)
/// are quoted, and both readers must get the value as written.
final class CtlEnvironmentTests: XCTestCase {
    func testQuotedValuesReadTheSameFromAShellAndFromCofferctl() async throws {
        let secrets = "payments>payouts:0123456789abcdef0123,ingress>payments:fedcba9876543210fedc"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("coffer.env").path
        try """
        COFFER_INTERNAL_SECRETS='\(secrets)'
        PAYMENTS_INTERNAL_URL='http://127.0.0.1:9081'
        COFFER_DEMO_API_KEY=''
        UNQUOTED=plain

        """.write(toFile: file, atomically: true, encoding: .utf8)

        let environment = CtlEnvironment(processEnvironment: [:], envFile: file)
        XCTAssertEqual(environment["COFFER_INTERNAL_SECRETS"], secrets)
        XCTAssertEqual(environment["PAYMENTS_INTERNAL_URL"], "http://127.0.0.1:9081")
        XCTAssertNil(environment["COFFER_DEMO_API_KEY"])
        XCTAssertEqual(environment["UNQUOTED"], "plain")

        // Sourced in the directory, as the walk-through does: the same value, and no file created by a `>`.
        let shell = try await TestProcess.run([
            "/bin/sh", "-c",
            "cd '\(directory.path)' && set -a && . ./coffer.env && printf %s \"$COFFER_INTERNAL_SECRETS\"",
        ])
        XCTAssertEqual(shell, secrets)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["coffer.env"])
    }
}
