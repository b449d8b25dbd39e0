import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Issue 9, the low findings, through the real processes.
final class LowFindingsTests: XCTestCase {
    /// A CSV batch's `?dry_run=true` stored its dry-run answer under the key; the real submit with the same
    /// key then replayed the dry run. The query is part of the request's fingerprint now.
    func testAnIdempotencyKeyCoversTheQueryString() async throws {
        let harness = try await PayoutsHarness.start()
        do {
            let tenant = try await harness.createTenant()
            let payee = try await harness.createPayee(tenant, balance: 100_000)
            let csv = Array("payee_id,amount,currency\n\(payee),1000,INR\n".utf8)
            let key = UUID().uuidString
            let dryRun = try await harness.call(.POST, "/v1/payout-batches?dry_run=true", bearer: tenant.key, rawBody: csv, contentType: "text/csv",
                                                idempotencyKey: key)
            XCTAssertEqual(dryRun.status, 200, dryRun.text)
            XCTAssertEqual(dryRun["dry_run"], true)
            let real = try await harness.call(.POST, "/v1/payout-batches", bearer: tenant.key, rawBody: csv, contentType: "text/csv",
                                              idempotencyKey: key)
            XCTAssertEqual(real.status, 422, "another request under the same key: \(real.text)")
            XCTAssertEqual(real.errorCode, "idempotency_key_reused")
            XCTAssertNil(real.headers["Idempotent-Replayed"])
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// Payee fingerprints were derived from the current master-key version only, so after a rotation a
    /// destination shared with a payee fingerprinted before it no longer matched.
    func testASharedDestinationIsFoundAcrossAMasterKeyRotation() async throws {
        let harness = try await PayoutsHarness.start()
        do {
            let tenant = try await harness.createTenant()
            let account = "555566667777"
            _ = try await harness.createPayee(tenant, account: account)
            // v2 joins the keyring (the rotation runbook's first step): new fingerprints are v2's.
            let newKey = Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
            try await harness.restartPayouts(changes: ["COFFER_MASTER_KEY": "v2:\(newKey),v1:\(TestStackEnvironment.masterKey)"])
            let second = try await harness.createPayee(tenant, account: account, balance: 10_000)
            let payout = try await harness.createPayout(tenant, payee: second, amount: 1_000)
            XCTAssertEqual(payout["status"]?.stringValue, "held", payout.text)
            XCTAssertTrue(payout["hold_reasons"]?.arrayValue?.contains("shared_destination") ?? false, payout.text)
            // After `keys rotate` every fingerprint is v2's, and v1 can go: still found.
            let rotated = try await harness.admin(.POST, "/admin/keys/rotate")
            XCTAssertEqual(rotated.status, 200, rotated.text)
            try await harness.restartPayouts(changes: ["COFFER_MASTER_KEY": "v2:\(newKey)"])
            let again = try await harness.createPayout(tenant, payee: second, amount: 1_000)
            XCTAssertTrue(again["hold_reasons"]?.arrayValue?.contains("shared_destination") ?? false, again.text)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
