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
            let dryRun = try await harness.call(
                .POST, "/v1/payout-batches?dry_run=true", bearer: tenant.key, rawBody: csv, contentType: "text/csv",
                idempotencyKey: key)
            XCTAssertEqual(dryRun.status, 200, dryRun.text)
            XCTAssertEqual(dryRun["dry_run"], true)
            let real = try await harness.call(
                .POST, "/v1/payout-batches", bearer: tenant.key, rawBody: csv, contentType: "text/csv",
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
            try await harness.restartPayouts(changes: [
                "COFFER_MASTER_KEY": "v2:\(newKey),v1:\(TestStackEnvironment.masterKey)"
            ])
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

    /// Revocations and suspensions reached payouts only when the outbox delivered them. Now payouts
    /// confirms its copy against payments every quarter of TENANCY_MAX_STALENESS: a revocation whose
    /// event is stuck still takes effect within the bound, and while the copy cannot be confirmed,
    /// requests that move money out are refused (reads go on).
    func testARevocationReachesPayoutsWithinTheBoundAndMoneyOutFailsClosedOnAStaleCopy() async throws {
        let harness = try await PayoutsHarness.start(payoutsEnvironment: ["TENANCY_MAX_STALENESS": "4s"])
        do {
            let tenant = try await harness.createTenant()
            let payee = try await harness.createPayee(tenant, balance: 50_000)
            let laterPayee = try await harness.createPayee(tenant, balance: 50_000)
            let created = try await harness.admin(
                .POST, "/admin/tenants/\(tenant.id)/api-keys", json: ["role": "full"], onPayments: true)
            let (keyID, secret) = (created.id, created["secret"]?.stringValue ?? "")
            let known = await eventually(timeout: .seconds(20)) {
                (try? await harness.call(.GET, "/v1/payees", bearer: secret).status) == 200
            }
            XCTAssertTrue(known)

            // Payments can no longer deliver events to payouts (its address for payouts goes nowhere).
            try await harness.restartPayments(changes: ["PAYOUTS_INTERNAL_URL": "http://127.0.0.1:9"])
            let revoked = try await harness.admin(.DELETE, "/admin/api-keys/\(keyID)", onPayments: true)
            XCTAssertEqual(revoked.status, 200, revoked.text)
            // The key stops moving money at payouts within the bound, although its event is still undelivered.
            let refused = await eventually(timeout: .seconds(8)) {
                (try? await harness.call(
                    .POST, "/v1/payouts", bearer: secret,
                    json: ["payee_id": .string(payee), "amount": 1000, "currency": "INR"],
                    idempotencyKey: CofferID.generate(.request)
                ).errorCode) == "invalid_api_key"
            }
            XCTAssertTrue(refused, "the revoked key still worked at payouts")
            await XCTAssertEqualAsync(
                try await harness.superuserCount(
                    """
                    SELECT count(*) FROM payments.outbox WHERE subscriber = 'payouts' AND event_type = 'api_key.revoked' AND status = 'pending'
                    """), 1, "the revocation's event is still waiting: the confirmation, not the outbox, carried it")

            // Payments down: once the copy is older than the bound, money out is refused, reads are not.
            await harness.payments.stop()
            let stale = await eventually(timeout: .seconds(10)) {
                (try? await harness.call(
                    .POST, "/v1/payouts", bearer: tenant.key,
                    json: ["payee_id": .string(payee), "amount": 1000, "currency": "INR"],
                    idempotencyKey: CofferID.generate(.request)
                ).errorCode) == "tenancy_stale"
            }
            XCTAssertTrue(stale, "money moved on a copy nobody could confirm")
            let paidBefore = try await harness.superuserCount(
                "SELECT count(*) FROM payouts.payouts WHERE tenant_id = '\(tenant.id)'")
            let staleAnswer = try await harness.call(.POST, "/v1/payouts/confirm-first-run", bearer: tenant.key)
            XCTAssertEqual(staleAnswer.status, 503, staleAnswer.text)
            XCTAssertNotNil(staleAnswer.headers["Retry-After"])
            await XCTAssertEqualAsync(try await harness.call(.GET, "/v1/payouts", bearer: tenant.key).status, 200)
            await XCTAssertEqualAsync(
                try await harness.call(.GET, "/v1/payees/\(payee)", bearer: tenant.key).status, 200)
            let metrics = try await harness.call(.GET, "/metrics", bearer: nil)
            XCTAssertTrue(metrics.text.contains("coffer_tenancy_confirmation_failures_total"), metrics.text)
            await XCTAssertEqualAsync(
                try await harness.superuserCount(
                    "SELECT count(*) FROM payouts.payouts WHERE tenant_id = '\(tenant.id)'"),
                paidBefore, "no payout was created while the copy was stale")

            // Payments back: money moves again, the revoked key still does not.
            try await harness.restartPayments(changes: ["PAYOUTS_INTERNAL_URL": harness.payouts.internalURL])
            let moving = await eventually(timeout: .seconds(10)) {
                (try? await harness.call(.POST, "/v1/payouts/confirm-first-run", bearer: tenant.key).errorCode)
                    != "tenancy_stale"
            }
            XCTAssertTrue(moving)
            let payout = try await harness.call(
                .POST, "/v1/payouts", bearer: tenant.key,
                json: ["payee_id": .string(laterPayee), "amount": 1000, "currency": "INR"],
                idempotencyKey: CofferID.generate(.request))
            XCTAssertTrue([201, 202].contains(payout.status), payout.text)
            await XCTAssertEqualAsync(
                try await harness.call(.GET, "/v1/payouts", bearer: secret).errorCode, "invalid_api_key")
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
