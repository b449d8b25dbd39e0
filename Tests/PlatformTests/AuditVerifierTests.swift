import Foundation
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

/// Verification against history altered by someone with the table owner's rights (the trigger
/// disabled), on real PostgreSQL.
final class AuditVerifierTests: XCTestCase {
    static let tenants = ["ten_clean", "ten_edit", "ten_delete", "ten_hash", "ten_prev", "ten_tail"]

    /// Five sealed rows in each tenant's chain.
    func sealedHarness() async throws -> AuditTestHarness {
        let harness = try await AuditTestHarness.make()
        var entries: [AuditEntry] = []
        for n in 0..<5 { for tenant in Self.tenants { entries.append(AuditTestHarness.entry(tenant, n)) } }
        try await harness.app.transaction { connection in try await harness.log.record(entries, on: connection) }
        let sealed = try await harness.sealer().sealPending()
        XCTAssertEqual(sealed, 30)
        return harness
    }

    func rowID(_ harness: AuditTestHarness, _ tenant: String, _ seq: Int64) async throws -> Int64 {
        try await harness.app.query("SELECT id FROM svc.audit_log WHERE tenant_key = \(tenant) AND chain_seq = \(seq)")[
            0
        ]
        .decode(Int64.self, at: 0)
    }

    func problems(_ report: AuditVerificationReport, _ tenant: String) -> [String] {
        report.problems.filter { $0.tenantID == tenant }.map {
            "\($0.kind.rawValue)@\($0.chainSeq ?? -1)#\($0.rowID ?? -1)"
        }.sorted()
    }

    func testAnUntouchedLogVerifies() async throws {
        let harness = try await sealedHarness()
        let report = try await harness.verifier().verify()
        XCTAssertTrue(report.ok, "\(report.problems)")
        XCTAssertEqual(report.tenantsChecked, 6)
        XCTAssertEqual(report.rowsChecked, 30)
        XCTAssertEqual(report.unsealedRows, 0)
        let one = try await harness.verifier().verify(.tenant("ten_edit"))
        XCTAssertTrue(one.ok)
        XCTAssertEqual(one.tenantsChecked, 1)
        XCTAssertEqual(one.rowsChecked, 5)
        try await harness.close()
    }

    func testEveryKindOfTamperingIsReportedWithItsKindAndLocation() async throws {
        let harness = try await sealedHarness()
        let edited = try await rowID(harness, "ten_edit", 3)
        let afterGap = try await rowID(harness, "ten_delete", 3)
        let rehashed = try await rowID(harness, "ten_hash", 2)
        let nextToRehashed = try await rowID(harness, "ten_hash", 3)
        let relinked = try await rowID(harness, "ten_prev", 4)
        // As the table owner, trigger off: what an attacker with database rights could do.
        try await harness.tamper(
            """
            UPDATE svc.audit_log SET after = jsonb_set(after, '{amount}', '999999') WHERE tenant_key = 'ten_edit' AND chain_seq = 3;
            DELETE FROM svc.audit_log WHERE tenant_key = 'ten_delete' AND chain_seq = 2;
            UPDATE svc.audit_log SET hash = repeat('f', 64) WHERE tenant_key = 'ten_hash' AND chain_seq = 2;
            UPDATE svc.audit_log SET prev_hash = repeat('a', 64) WHERE tenant_key = 'ten_prev' AND chain_seq = 4;
            DELETE FROM svc.audit_log WHERE tenant_key = 'ten_tail' AND chain_seq = 5
            """)
        let report = try await harness.verifier().verify()
        XCTAssertFalse(report.ok)
        XCTAssertEqual(report.tenantsChecked, 6)
        XCTAssertEqual(report.rowsChecked, 28)
        XCTAssertEqual(problems(report, "ten_clean"), [])
        XCTAssertEqual(problems(report, "ten_edit"), ["hash_mismatch@3#\(edited)"])
        XCTAssertEqual(problems(report, "ten_delete"), ["sequence_gap@2#\(afterGap)"])
        XCTAssertEqual(
            problems(report, "ten_hash"),
            ["hash_mismatch@2#\(rehashed)", "prev_hash_mismatch@3#\(nextToRehashed)"].sorted())
        XCTAssertEqual(
            problems(report, "ten_prev"), ["hash_mismatch@4#\(relinked)", "prev_hash_mismatch@4#\(relinked)"])
        XCTAssertEqual(problems(report, "ten_tail"), ["head_mismatch@5#-1"])
        XCTAssertEqual(report.problems.count, 7)

        // One tenant at a time, too; and the HTTP shape carries the same.
        let one = try await harness.verifier().verify(.tenant("ten_edit"))
        XCTAssertEqual(one.problems.map(\.kind), [.hashMismatch])
        let json = report.json
        XCTAssertEqual(json["ok"], false)
        XCTAssertEqual(json["rows"], .int(28))
        XCTAssertEqual(AuditVerificationReport(json: json), report)
        try await harness.close()
    }

    func testAnEditedPlatformRowAndARowMovedToAnotherTenantAreCaught() async throws {
        let harness = try await AuditTestHarness.make()
        try await harness.record(
            (0..<3).map { AuditTestHarness.entry(nil, $0, action: "tenant.created") }
                + (0..<3).map { AuditTestHarness.entry("ten_1", $0) })
        try await harness.sealer().sealPending()
        try await harness.tamper(
            """
            UPDATE svc.audit_log SET actor = 'operator:mallory' WHERE tenant_key = 'platform' AND chain_seq = 1;
            UPDATE svc.audit_log SET tenant_id = 'ten_2' WHERE tenant_key = 'ten_1' AND chain_seq = 3
            """)
        let report = try await harness.verifier().verify()
        let found = Set(report.problems.map { "\($0.kind.rawValue):\($0.tenantID ?? "platform"):\($0.chainSeq ?? -1)" })
        XCTAssertTrue(found.contains("hash_mismatch:platform:1"), "\(found)")
        XCTAssertTrue(found.contains("head_mismatch:ten_1:3"), "\(found)")
        XCTAssertTrue(found.contains("hash_mismatch:ten_2:3"), "\(found)")
        XCTAssertTrue(found.contains("sequence_gap:ten_2:1"), "\(found)")
        XCTAssertTrue(found.contains("head_mismatch:ten_2:3"), "a chain with rows but no head: \(found)")
        try await harness.close()
    }

    func testRowsLeftUnsealedTooLongAreReported() async throws {
        let harness = try await AuditTestHarness.make()
        try await harness.record([AuditTestHarness.entry("ten_1", 1), AuditTestHarness.entry("ten_1", 2)])
        let report = try await harness.verifier(unsealedThreshold: .seconds(60)).verify()
        XCTAssertTrue(report.ok, "fresh unsealed rows are not a problem: \(report.problems)")
        XCTAssertEqual(report.unsealedRows, 2)
        // No sealer ran for ten minutes.
        try await harness.tamper(
            "UPDATE svc.audit_log SET occurred_at = now() - interval '10 minutes' WHERE object_id = 'pay_1'")
        let late = try await harness.verifier(unsealedThreshold: .seconds(60)).verify()
        XCTAssertEqual(late.problems.map(\.kind), [.unsealed])
        XCTAssertEqual(late.problems.first?.tenantID, "ten_1")
        XCTAssertEqual(late.problems.first?.rowID, 1)
        try await harness.sealer().sealPending()
        let verifiedAfterSealing = try await harness.verifier(unsealedThreshold: .seconds(60)).verify().ok
        XCTAssertTrue(verifiedAfterSealing)
        try await harness.close()
    }

    func testAFloodOfProblemsIsCappedButStillFails() async throws {
        let harness = try await AuditTestHarness.make()
        try await harness.record((0..<12).map { AuditTestHarness.entry("ten_1", $0) })
        try await harness.sealer().sealPending()
        try await harness.tamper("UPDATE svc.audit_log SET correlation_id = 'forged'")
        var verifier = harness.verifier()
        verifier.maxProblems = 5
        let report = try await verifier.verify()
        XCTAssertEqual(report.problems.count, 5)
        XCTAssertTrue(report.problemsTruncated)
        XCTAssertFalse(report.ok)
        XCTAssertEqual(report.rowsChecked, 12)
        try await harness.close()
    }
}
