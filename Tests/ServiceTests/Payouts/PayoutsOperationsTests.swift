import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Provider news through ingress, reconciliation, operator credits and forced resolutions.
final class PayoutsOperationsTests: XCTestCase {
    func testSignedWebhooksSettleAndReverseAndReconciliationFixesDrift() async throws {
        let harness = try await PayoutsHarness.start(
            ingress: true, payoutsEnvironment: ["PAYOUT_PENDING_RECHECK": "60s"])
        let tenant = try await harness.createTenant()
        let payee = try await harness.createPayee(tenant, balance: 100_000)

        // Only the provider's signed webhook (through ingress) settles it: lookups are a minute away.
        let payout = try await harness.createPayout(tenant, payee: payee, amount: 30_000)
        let processed = await harness.waitForStatus(payout.id, tenant, "processed")
        XCTAssertTrue(processed)
        let viaIngress = try await harness.superuserCount(
            """
            SELECT count(*) FROM ingress.webhook_events WHERE tenant_id = '\(tenant.id)' AND provider_event_type LIKE 'payout.%'
            """)
        XCTAssertGreaterThan(viaIngress, 0, "the payout was settled by a webhook that ingress verified")

        // The bank returns it: the reversal webhook credits the balance back and the ledger follows.
        let settled = try await harness.payout(payout.id, tenant)
        let providerID = try XCTUnwrap(settled["provider_payout_id"]?.stringValue)
        _ = try await harness.sandboxControl(.POST, "/_sandbox/payouts/razorpay/\(providerID)/reverse")
        let reversed = await harness.waitForStatus(payout.id, tenant, "reversed")
        XCTAssertTrue(reversed)
        let afterReversal = try await harness.balance(payee, tenant)
        XCTAssertEqual(afterReversal.available, 100_000)
        let ledgerBack = await eventually(timeout: .seconds(20)) {
            (try? await harness.ledgerPayable(tenant.id, payee: payee)) == 100_000
        }
        XCTAssertTrue(ledgerBack)

        // Drift: a reversal whose webhook never arrives is found by the reconciliation.
        let second = try await harness.createPayout(tenant, payee: payee, amount: 20_000)
        let secondProcessed = await harness.waitForStatus(second.id, tenant, "processed")
        XCTAssertTrue(secondProcessed)
        _ = try await harness.sandboxControl(
            .POST, "/_sandbox/behaviour", json: ["provider": "razorpay", "webhook_drop": true])
        let secondSettled = try await harness.payout(second.id, tenant)
        let secondProviderID = try XCTUnwrap(secondSettled["provider_payout_id"]?.stringValue)
        _ = try await harness.sandboxControl(.POST, "/_sandbox/payouts/razorpay/\(secondProviderID)/reverse")
        try await Task.sleep(for: .seconds(1))
        let unaware = try await harness.payout(second.id, tenant)
        XCTAssertEqual(unaware["status"]?.stringValue, "processed", "no webhook: payouts cannot know yet")
        let report = try await harness.admin(.POST, "/admin/reconciliation/run")
        XCTAssertEqual(report.status, 200, report.text)
        XCTAssertEqual(report["fixed"]?.int64Value, 1, report.text)
        XCTAssertEqual(report["fixes"]?[0]?["payout_id"]?.stringValue, second.id)
        XCTAssertEqual(report["fixes"]?[0]?["to"]?.stringValue, "reversed")
        XCTAssertEqual(report["amount_mismatches"]?.arrayValue?.count, 0)
        let fixed = try await harness.payout(second.id, tenant)
        XCTAssertEqual(fixed["status"]?.stringValue, "reversed")
        let again = try await harness.admin(.POST, "/admin/reconciliation/run")
        XCTAssertEqual(again["fixed"]?.int64Value, 0, "a second run finds nothing to fix")
        XCTAssertEqual(again["matched"]?.int64Value, 2, again.text)
        let reports = try await harness.admin(.GET, "/admin/reconciliation-reports")
        XCTAssertGreaterThanOrEqual(
            reports["data"]?.arrayValue?.count ?? 0, 2, "both runs (and any the schedule started) are listed")
        let stored = try await harness.admin(.GET, "/admin/reconciliation-reports/\(report.id)")
        XCTAssertEqual(stored["fixed"]?.int64Value, 1, stored.text)
        let finalBalance = try await harness.balance(payee, tenant)
        XCTAssertEqual(finalBalance.available, 100_000)
        await harness.stop()
    }

    func testOperatorCreditsAndTwoOperatorForceResolveOfLiveMoney() async throws {
        let harness = try await PayoutsHarness.start()
        let created = try await harness.admin(
            .POST, "/admin/tenants",
            json: [
                "name": "Live shop", "livemode": true,
                "settings": ["api_rate_limit_per_minute": 100_000],
            ], onPayments: true)
        XCTAssertEqual(created.status, 201, created.text)
        let liveKey = try XCTUnwrap(created["api_key"]?["secret"]?.stringValue)
        XCTAssertTrue(liveKey.hasPrefix("ck_live_"))
        let known = await eventually(timeout: .seconds(20)) {
            (try? await harness.call(.GET, "/v1/payees", bearer: liveKey).status) == 200
        }
        XCTAssertTrue(known)
        let payee = try await harness.call(
            .POST, "/v1/payees", bearer: liveKey,
            json: [
                "name": "Ravi", "type": "employee",
                "destination": ["type": "upi", "vpa": "ravi@okbank", "holder_name": "Ravi"],
            ])
        XCTAssertEqual(payee.status, 201, payee.text)

        let badCredit = try await harness.admin(
            .POST, "/admin/payees/\(payee.id)/credits", json: ["amount": 5_000, "currency": "INR"])
        XCTAssertEqual(badCredit.status, 400, "a credit says why")
        // Live money is created by two operators: the first asks, the same one cannot confirm, a second does.
        let creditRequest = try await harness.admin(
            .POST, "/admin/payees/\(payee.id)/credits",
            json: ["amount": 50_000, "currency": "INR", "reason": "November salary advance"])
        XCTAssertEqual(creditRequest.status, 202, creditRequest.text)
        XCTAssertEqual(creditRequest["status"]?.stringValue, "awaiting_second_operator")
        let sameCreditOperator = try await harness.admin(.POST, "/admin/credit-requests/\(creditRequest.id)/approve")
        XCTAssertEqual(sameCreditOperator.errorCode, "second_operator_required", sameCreditOperator.text)
        let nothingYet = try await harness.ledgerPayable(created.id, payee: payee.id)
        XCTAssertEqual(nothingYet, 0, "no money before the second operator")
        let credit = try await harness.admin(
            .POST, "/admin/credit-requests/\(creditRequest.id)/approve", token: TestStackEnvironment.secondAdminToken)
        XCTAssertEqual(credit.status, 201, credit.text)
        let twice = try await harness.admin(
            .POST, "/admin/credit-requests/\(creditRequest.id)/approve", token: TestStackEnvironment.secondAdminToken)
        XCTAssertEqual(twice.status, 409, "a confirmed credit is applied once")
        let unauthenticated = try await harness.call(
            .POST, "/admin/payees/\(payee.id)/credits", bearer: "nope",
            json: ["amount": 1, "currency": "INR", "reason": "x"])
        XCTAssertEqual(unauthenticated.status, 401)
        let ledger = await eventually(timeout: .seconds(20)) {
            (try? await harness.ledgerPayable(created.id, payee: payee.id)) == 50_000
        }
        XCTAssertTrue(ledger, "payments' ledger books the operator's credit")

        // Live, first run unconfirmed: the payout waits; two operators force it to failed.
        let payout = try await harness.call(
            .POST, "/v1/payouts", bearer: liveKey,
            json: [
                "payee_id": .string(payee.id), "amount": 20_000,
                "currency": "INR",
            ], idempotencyKey: UUID().uuidString)
        XCTAssertEqual(payout["status"]?.stringValue, "pending_approval", payout.text)
        let request = try await harness.admin(
            .POST, "/admin/payouts/\(payout.id)/force-resolve",
            json: ["status": "failed", "reason": "payee left; HR confirmed"])
        XCTAssertEqual(request.status, 202, request.text)
        XCTAssertEqual(request["status"]?.stringValue, "awaiting_second_operator")
        let sameOperator = try await harness.admin(
            .POST, "/admin/payouts/\(payout.id)/force-resolve",
            json: ["status": "failed", "reason": "payee left; HR confirmed"])
        XCTAssertEqual(sameOperator.errorCode, "second_operator_required", sameOperator.text)
        let impossible = try await harness.admin(
            .POST, "/admin/payouts/\(payout.id)/force-resolve", json: ["status": "reversed", "reason": "x"],
            token: TestStackEnvironment.secondAdminToken)
        XCTAssertEqual(impossible.status, 409, impossible.text)
        let confirmed = try await harness.admin(
            .POST, "/admin/payouts/\(payout.id)/force-resolve",
            json: ["status": "failed", "reason": "payee left; HR confirmed"],
            token: TestStackEnvironment.secondAdminToken)
        XCTAssertEqual(confirmed.status, 200, confirmed.text)
        XCTAssertEqual(confirmed["status"]?.stringValue, "failed")
        XCTAssertEqual(confirmed["failure_code"]?.stringValue, "force_resolved")
        let balance = try await harness.call(.GET, "/v1/balances?payee_id=\(payee.id)", bearer: liveKey)
        XCTAssertEqual(balance["data"]?[0]?["available"]?.int64Value, 50_000, balance.text)

        // Both operators and the credit are in payouts' own audit chain, which verifies.
        let actions = try await harness.superuserCount(
            """
            SELECT count(*) FROM payouts.audit_log WHERE action IN ('payee.credited', 'payout.force_resolve_requested', 'payout.force_resolved')
            """)
        XCTAssertEqual(actions, 3)
        let resolvedBy = try await harness.superuserCount(
            """
            SELECT count(*) FROM payouts.audit_log WHERE action = 'payout.force_resolved' AND actor = 'operator:second'
            """)
        XCTAssertEqual(resolvedBy, 1)
        let verify = try await harness.admin(.GET, "/admin/audit/verify")
        XCTAssertEqual(verify.status, 200, verify.text)
        XCTAssertEqual(verify["ok"], true, verify.text)
        await harness.stop()
    }
}
