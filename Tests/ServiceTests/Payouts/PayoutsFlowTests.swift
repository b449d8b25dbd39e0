import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Payees, balances and single payouts end to end: payouts → sandbox RazorpayX → settled, with
/// payments' ledger following every move.
final class PayoutsFlowTests: XCTestCase {
    func testPayoutIsPaidOnceAndBalancesFollowTheLedger() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant()
        let number = "123456789012"
        let created = try await harness.call(
            .POST, "/v1/payees", bearer: tenant.key,
            json: [
                "name": "Asha Rao", "type": "seller",
                "destination": [
                    "type": "bank_account", "account_number": .string(number), "ifsc": "hdfc0001234",
                    "holder_name": "Asha Rao",
                ],
            ])
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertFalse(created.text.contains(number), "the account number is masked in responses")
        XCTAssertEqual(created["destination"]?["last4"]?.stringValue, "9012", created.text)
        let payee = created.id
        try await harness.credit(payee, 100_000)

        let noKey = try await harness.createPayout(tenant, payee: payee, amount: 1_000, idempotencyKey: nil)
        XCTAssertEqual(noKey.status, 400, noKey.text)
        XCTAssertEqual(noKey.errorCode, "idempotency_key_required")
        let otherCurrency = try await harness.createPayout(tenant, payee: payee, amount: 1_000, currency: "USD")
        XCTAssertEqual(otherCurrency.errorCode, "currency_mismatch", otherCurrency.text)
        let tooMuch = try await harness.createPayout(tenant, payee: payee, amount: 100_001)
        XCTAssertEqual(tooMuch.errorCode, "insufficient_balance", tooMuch.text)

        let key = UUID().uuidString
        let payout = try await harness.createPayout(tenant, payee: payee, amount: 40_000, idempotencyKey: key)
        XCTAssertEqual(payout.status, 201, payout.text)
        XCTAssertTrue(["queued", "processing"].contains(payout["status"]?.stringValue ?? ""), payout.text)
        let replay = try await harness.createPayout(tenant, payee: payee, amount: 40_000, idempotencyKey: key)
        XCTAssertEqual(replay.id, payout.id)
        XCTAssertEqual(replay.headers["Idempotent-Replayed"], "true")

        let processed = await harness.waitForStatus(payout.id, tenant, "processed")
        let final = try await harness.payout(payout.id, tenant)
        XCTAssertTrue(processed, final.text)
        let balance = try await harness.balance(payee, tenant)
        XCTAssertEqual(balance.available, 60_000)
        XCTAssertEqual(balance.reserved, 0)
        let paid = try await harness.sandboxPayoutsByCofferID()
        XCTAssertEqual(paid[payout.id], 1, "paid exactly once at the provider")
        let ledgerFollows = await eventually(timeout: .seconds(20)) {
            (try? await harness.ledgerPayable(tenant.id, payee: payee)) == 60_000
        }
        let payable = try await harness.ledgerPayable(tenant.id, payee: payee)
        XCTAssertTrue(ledgerFollows, "payments' ledger says the payee is owed \(payable)")
        let told = await eventually(timeout: .seconds(10)) {
            let types = Set(
                harness.recorder.applied.withLock {
                    $0.filter { $0.data["payout_id"]?.stringValue == payout.id }.map(\.type)
                })
            return types.isSuperset(of: ["payout.created", "payout.queued", "payout.processed"])
        }
        XCTAssertTrue(told, "notifications hear payout.created, payout.queued and payout.processed")

        // Another tenant sees none of it.
        let other = try await harness.createTenant()
        for path in ["/v1/payouts/\(payout.id)", "/v1/payees/\(payee)", "/v1/balances?payee_id=\(payee)"] {
            let answer = try await harness.call(.GET, path, bearer: other.key)
            XCTAssertTrue(
                answer.status == 404 || (answer["data"]?.arrayValue?.isEmpty ?? false), "\(path): \(answer.text)")
        }
        let stolen = try await harness.createPayout(other, payee: payee, amount: 1_000)
        XCTAssertEqual(stolen.status, 404, stolen.text)
        await harness.stop()
    }

    func testFirstRunApprovalsAndHolds() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant(
            settings: [
                "payout_limits": [
                    "approval_thresholds": ["INR": 50_000],
                    "max_single_payout": ["INR": 500_000],
                ]
            ],
            confirmFirstRun: false)
        let approver = try await harness.createKey(tenant, role: "approver")
        let reader = try await harness.createKey(tenant, role: "read_only")
        let payee = try await harness.createPayee(tenant, balance: 1_000_000)

        let readOnly = try await harness.createPayout(tenant, payee: payee, amount: 1_000, key: reader)
        XCTAssertEqual(readOnly.status, 403, readOnly.text)
        let tooLarge = try await harness.createPayout(tenant, payee: payee, amount: 500_001)
        XCTAssertEqual(tooLarge.errorCode, "payout_limit_exceeded", tooLarge.text)

        let first = try await harness.createPayout(tenant, payee: payee, amount: 10_000)
        XCTAssertEqual(first["status"]?.stringValue, "pending_approval", first.text)
        XCTAssertEqual(first["approval_reasons"]?.arrayValue, ["first_run"])
        let waiting = try await harness.call(.GET, "/v1/payouts/first-run", bearer: tenant.key)
        XCTAssertEqual(waiting["confirmed"], false)
        XCTAssertEqual(waiting["waiting"]?[0]?["amount"]?.int64Value, 10_000, waiting.text)
        let early = try await harness.call(.POST, "/v1/payouts/\(first.id)/approve", bearer: approver)
        XCTAssertEqual(early.errorCode, "first_run_unconfirmed", early.text)
        let confirmed = try await harness.call(.POST, "/v1/payouts/confirm-first-run", bearer: approver)
        XCTAssertEqual(confirmed.status, 200, confirmed.text)
        XCTAssertEqual(confirmed["totals"]?[0]?["payouts"]?.int64Value, 1)
        let again = try await harness.call(.POST, "/v1/payouts/confirm-first-run", bearer: approver)
        XCTAssertEqual(again.errorCode, "first_run_confirmed")
        let firstPaid = await harness.waitForStatus(first.id, tenant, "processed")
        XCTAssertTrue(firstPaid)

        let large = try await harness.createPayout(tenant, payee: payee, amount: 60_000)
        XCTAssertEqual(large["status"]?.stringValue, "pending_approval", large.text)
        XCTAssertEqual(large["approval_reasons"]?.arrayValue, ["above_approval_threshold"])
        let selfApproval = try await harness.call(.POST, "/v1/payouts/\(large.id)/approve", bearer: tenant.key)
        XCTAssertEqual(selfApproval.status, 403, selfApproval.text)
        XCTAssertEqual(selfApproval.errorCode, "approver_must_differ")
        let readerApproval = try await harness.call(.POST, "/v1/payouts/\(large.id)/approve", bearer: reader)
        XCTAssertEqual(readerApproval.status, 403, readerApproval.text)
        let approved = try await harness.call(.POST, "/v1/payouts/\(large.id)/approve", bearer: approver)
        XCTAssertEqual(approved.status, 200, approved.text)
        let largePaid = await harness.waitForStatus(large.id, tenant, "processed")
        XCTAssertTrue(largePaid)

        // A payout waiting for approval can be canceled; its reservation returns.
        let canceled = try await harness.createPayout(tenant, payee: payee, amount: 70_000)
        let cancel = try await harness.call(.POST, "/v1/payouts/\(canceled.id)/cancel", bearer: tenant.key)
        XCTAssertEqual(cancel["status"]?.stringValue, "canceled", cancel.text)
        let processedCancel = try await harness.call(.POST, "/v1/payouts/\(first.id)/cancel", bearer: tenant.key)
        XCTAssertEqual(processedCancel.status, 409, processedCancel.text)
        let balance = try await harness.balance(payee, tenant)
        XCTAssertEqual(balance.available, 1_000_000 - 10_000 - 60_000)
        XCTAssertEqual(balance.reserved, 0)
        await harness.stop()
    }

    func testFraudHoldsWaitForARelease() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant()
        let approver = try await harness.createKey(tenant, role: "approver")
        let shared = "555566667777"
        let first = try await harness.createPayee(tenant, account: shared, balance: 50_000)
        let second = try await harness.createPayee(tenant, account: shared, balance: 50_000)
        _ = first
        let held = try await harness.createPayout(tenant, payee: second, amount: 5_000)
        XCTAssertEqual(held["status"]?.stringValue, "held", held.text)
        XCTAssertEqual(held["hold_reasons"]?.arrayValue, ["shared_destination"])
        let selfRelease = try await harness.call(.POST, "/v1/payouts/\(held.id)/release", bearer: tenant.key)
        XCTAssertEqual(selfRelease.errorCode, "approver_must_differ", selfRelease.text)
        let released = try await harness.call(.POST, "/v1/payouts/\(held.id)/release", bearer: approver)
        XCTAssertEqual(released.status, 200, released.text)
        let paid = await harness.waitForStatus(held.id, tenant, "processed")
        XCTAssertTrue(paid)
        let heldEvent = harness.recorder.applied.withLock {
            $0.contains {
                $0.type == "payout.held" && $0.data["payout_id"]?.stringValue == held.id
                    && $0.data["hold_reasons"]?.arrayValue == ["shared_destination"]
            }
        }
        XCTAssertTrue(heldEvent)
        await harness.stop()
    }

    /// The "₹1 test": a new destination is paid one rupee from the platform's account first; the
    /// payee's real payouts wait (held) until it succeeds, then go on by themselves. A destination the
    /// bank refuses fails its check, and its payouts stay held.
    func testDestinationCheckScheduledPayoutsAndPermanentFailures() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant(settings: [
            "test_payout": ["enabled": true, "amount_major_units": 1]
        ])
        let noCurrency = try await harness.call(
            .POST, "/v1/payees", bearer: tenant.key,
            json: [
                "name": "Asha", "type": "seller",
                "destination": [
                    "type": "bank_account", "account_number": "123456789012", "ifsc": "HDFC0001234",
                    "holder_name": "Asha",
                ],
            ])
        XCTAssertEqual(noCurrency.errorCode, "currency_required", noCurrency.text)
        let payee = try await harness.call(
            .POST, "/v1/payees", bearer: tenant.key,
            json: [
                "name": "Asha", "type": "seller", "currency": "INR",
                "destination": [
                    "type": "bank_account", "account_number": "123456789012", "ifsc": "HDFC0001234",
                    "holder_name": "Asha",
                ],
            ])
        XCTAssertEqual(payee.status, 201, payee.text)
        try await harness.credit(payee.id, 50_000)
        let waiting = try await harness.createPayout(tenant, payee: payee.id, amount: 10_000)
        let checked = await eventually(timeout: .seconds(30)) {
            (try? await harness.call(.GET, "/v1/payees/\(payee.id)", bearer: tenant.key))?["destination_check"]?
                .stringValue == "passed"
        }
        XCTAssertTrue(checked, "the one-rupee check was paid")
        let released = await harness.waitForStatus(waiting.id, tenant, "processed")
        XCTAssertTrue(released, "a payout held for the check goes on once it passes")
        let checks = try await harness.superuserCount(
            "SELECT count(*) FROM payouts.payouts WHERE payee_id = '\(payee.id)' AND is_test AND amount = 100")
        XCTAssertEqual(checks, 1)
        let balance = try await harness.balance(payee.id, tenant)
        XCTAssertEqual(balance.available, 40_000, "the check is the platform's money, not the payee's")
        let ledger = await eventually(timeout: .seconds(20)) {
            (try? await harness.ledgerPayable(tenant.id, payee: payee.id)) == 40_000
        }
        XCTAssertTrue(ledger)

        // A bank account the bank refuses: the check fails and the payee's payouts stay held.
        let refused = try await harness.call(
            .POST, "/v1/payees", bearer: tenant.key,
            json: [
                "name": "Nobody", "type": "seller", "currency": "INR",
                "destination": [
                    "type": "bank_account", "account_number": "000000000000", "ifsc": "HDFC0001234",
                    "holder_name": "Nobody",
                ],
            ])
        try await harness.credit(refused.id, 10_000)
        let stuck = try await harness.createPayout(tenant, payee: refused.id, amount: 5_000)
        let failedCheck = await eventually(timeout: .seconds(30)) {
            (try? await harness.call(.GET, "/v1/payees/\(refused.id)", bearer: tenant.key))?["destination_check"]?
                .stringValue == "failed"
        }
        XCTAssertTrue(failedCheck)
        let stillHeld = try await harness.payout(stuck.id, tenant)
        XCTAssertEqual(stillHeld["status"]?.stringValue, "held", stillHeld.text)
        XCTAssertEqual(stillHeld["hold_reasons"]?.arrayValue, ["destination_unverified"])
        let failedEvent = await eventually(timeout: .seconds(10)) {
            harness.recorder.applied.withLock {
                $0.contains { $0.type == "payout.failed" && $0.data["payee_id"]?.stringValue == refused.id }
            }
        }
        XCTAssertTrue(failedEvent)
        await harness.stop()
    }

    func testScheduledPayoutWaitsForItsDateAndARefusedAccountFailsAtOnce() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant()
        let payee = try await harness.createPayee(tenant, balance: 50_000)
        let payDate = Date().addingTimeInterval(3)
        let scheduled = try await harness.createPayout(
            tenant, payee: payee, amount: 10_000,
            extra: ["scheduled_for": .string(Timestamp.rfc3339(payDate)), "purpose": "salary"])
        XCTAssertEqual(scheduled["status"]?.stringValue, "scheduled", scheduled.text)
        try await Task.sleep(for: .seconds(1))
        let early = try await harness.payout(scheduled.id, tenant)
        XCTAssertEqual(early["status"]?.stringValue, "scheduled", "not before its date")
        let paid = await harness.waitForStatus(scheduled.id, tenant, "processed", timeout: .seconds(30))
        XCTAssertTrue(paid)
        let processedAt = try await harness.payout(scheduled.id, tenant)["processed_at"]?.stringValue.flatMap(
            Timestamp.parse)
        XCTAssertGreaterThanOrEqual(processedAt?.timeIntervalSince1970 ?? 0, payDate.timeIntervalSince1970 - 1)

        let refusedPayee = try await harness.createPayee(tenant, account: "000000000000", balance: 20_000)
        let refused = try await harness.createPayout(tenant, payee: refusedPayee, amount: 5_000)
        let failed = await harness.waitForStatus(refused.id, tenant, "failed", timeout: .seconds(30))
        let final = try await harness.payout(refused.id, tenant)
        XCTAssertTrue(failed, final.text)
        XCTAssertNotNil(final["failure_code"]?.stringValue, "failed with the provider's reason")
        XCTAssertEqual(final["attempts"]?.int64Value, 1, "a permanent refusal is not retried")
        let balance = try await harness.balance(refusedPayee, tenant)
        XCTAssertEqual(balance.available, 20_000, "the reservation returns")
        XCTAssertEqual(balance.reserved, 0)
        await harness.stop()
    }
}
