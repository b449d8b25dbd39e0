import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Payments through the real `coffer-payments` and the real sandbox as the provider: creation,
/// capture, cancel, refunds, declines, and the ledger behind them.
final class PaymentsFlowTests: XCTestCase {
    var harness: PaymentsHarness!

    override func setUp() async throws { harness = try await PaymentsHarness.start(sandbox: true) }
    override func tearDown() async throws { await harness?.stop() }

    func testAutomaticCaptureFulfilsOncePostsTheFeeSplitAndCreditsPayeeAndRecruiter() async throws {
        let tenant = try await harness.createTenant(settings: [
            "fees": [
                "platform_fee_bps": 1000, "provider_fee_bps": 290, "provider_fee_fixed": ["USD": 30],
                "referral_bounty_bps": 200,
            ]
        ])
        try await harness.connectStripe(tenant)
        let recruiter = try await harness.upsertPayee(tenantID: tenant.id)
        let payee = try await harness.upsertPayee(tenantID: tenant.id, recruiter: recruiter)
        let created = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: [
                "amount": 10_000, "currency": "usd", "payee_id": .string(payee), "description": "Order 1042",
                "customer": ["email": "ada@example.com"], "metadata": ["order_id": "1042"],
            ], idempotencyKey: "order-1042")
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created["status"]?.stringValue, "captured")
        XCTAssertEqual(created["currency"]?.stringValue, "USD")
        XCTAssertEqual(created["amount_received"]?.int64Value, 10_000)
        XCTAssertEqual(created["fulfillment"]?["status"]?.stringValue, "fulfilled")
        XCTAssertEqual(created["provider"]?.stringValue, "stripe")
        XCTAssertTrue(created["provider_payment_id"]?.stringValue?.hasPrefix("pi_") ?? false, created.text)
        // 10% platform fee = 1000, of which 2% = 200 goes to the recruiter; Stripe keeps 2.9% + 30 = 320, borne by the payee.
        XCTAssertEqual(created["fees"]?["platform_fee"]?.int64Value, 1000)
        XCTAssertEqual(created["fees"]?["provider_fee"]?.int64Value, 320)
        XCTAssertEqual(created["fees"]?["referral_bounty"]?.int64Value, 200)
        XCTAssertEqual(created["fees"]?["payee_net"]?.int64Value, 8680)

        let balances = try await harness.ledgerBalances(tenantID: tenant.id)
        XCTAssertEqual(balances.values.reduce(0, +), 0, "the journal balances: \(balances)")
        XCTAssertEqual(balances["payee_payable:\(payee)"], -8680)
        XCTAssertEqual(balances["payee_payable:\(recruiter)"], -200)
        XCTAssertEqual(balances["platform_revenue"], -800)
        XCTAssertEqual(balances["provider_clearing"], 9680)

        let captured = await eventually { self.harness.published("payment.captured").count == 1 }
        XCTAssertTrue(captured)
        let credits = await eventually { self.harness.published("payee.credited").count == 2 }
        XCTAssertTrue(credits)
        let amounts = Set(harness.published("payee.credited").compactMap { $0.data["amount"]?.int64Value })
        XCTAssertEqual(amounts, [8680, 200])

        // The same request again is the stored answer; the provider was called once.
        let replay = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: [
                "amount": 10_000, "currency": "usd", "payee_id": .string(payee), "description": "Order 1042",
                "customer": ["email": "ada@example.com"], "metadata": ["order_id": "1042"],
            ], idempotencyKey: "order-1042")
        XCTAssertEqual(replay.status, 201)
        XCTAssertEqual(replay.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(replay.id, created.id)
        let summary = try await harness.operationsSummary()
        XCTAssertEqual(summary["clean"]?.boolValue, true, summary.serializedText)
        let creates = try await harness.operations("kind=create_payment&coffer_id=\(created.id)")
        XCTAssertEqual(creates.count, 1)
    }

    func testManualCaptureIsPartialOnceAndRefundsNeverExceedWhatWasCaptured() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        let created = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: ["amount": 10_000, "currency": "EUR", "capture_method": "manual"])
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created["status"]?.stringValue, "authorized")
        XCTAssertEqual(created["amount_capturable"]?.int64Value, 10_000)
        XCTAssertEqual(created["fulfillment"], .null, "nothing is fulfilled before the money is captured")
        let early = try await harness.call(
            .POST, "/v1/payments/\(created.id)/refunds", bearer: tenant.key, json: ["amount": 100])
        XCTAssertEqual(early.status, 409)
        XCTAssertEqual(early.errorCode, "invalid_state")
        let tooMuch = try await harness.call(
            .POST, "/v1/payments/\(created.id)/capture", bearer: tenant.key, json: ["amount_to_capture": 10_001])
        XCTAssertEqual(tooMuch.status, 400)
        XCTAssertEqual(tooMuch.errorCode, "amount_too_large")

        let captured = try await harness.call(
            .POST, "/v1/payments/\(created.id)/capture", bearer: tenant.key, json: ["amount_to_capture": 6000],
            idempotencyKey: "capture-1")
        XCTAssertEqual(captured.status, 200, captured.text)
        XCTAssertEqual(captured["status"]?.stringValue, "captured")
        XCTAssertEqual(captured["amount_received"]?.int64Value, 6000)
        XCTAssertEqual(captured["fulfillment"]?["status"]?.stringValue, "fulfilled")
        let again = try await harness.call(.POST, "/v1/payments/\(created.id)/capture", bearer: tenant.key, json: [:])
        XCTAssertEqual(again.status, 409, "a payment is captured once")
        let replay = try await harness.call(
            .POST, "/v1/payments/\(created.id)/capture", bearer: tenant.key, json: ["amount_to_capture": 6000],
            idempotencyKey: "capture-1")
        XCTAssertEqual(replay.status, 200)
        XCTAssertEqual(replay.headers["Idempotent-Replayed"], "true")

        let overRefund = try await harness.call(
            .POST, "/v1/payments/\(created.id)/refunds", bearer: tenant.key, json: ["amount": 6001])
        XCTAssertEqual(overRefund.status, 400)
        XCTAssertEqual(overRefund.errorCode, "amount_too_large")
        let captures = try await harness.operations("kind=capture&coffer_id=\(created.id)")
        XCTAssertEqual(captures.count, 1)
    }

    func testCancelReleasesAnAuthorizationOnce() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        let created = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: ["amount": 2500, "currency": "GBP", "capture_method": "manual"])
        let canceled = try await harness.call(.POST, "/v1/payments/\(created.id)/cancel", bearer: tenant.key)
        XCTAssertEqual(canceled.status, 200, canceled.text)
        XCTAssertEqual(canceled["status"]?.stringValue, "canceled")
        let twice = try await harness.call(.POST, "/v1/payments/\(created.id)/cancel", bearer: tenant.key)
        XCTAssertEqual(twice.status, 200, "canceling a canceled payment changes nothing")
        let capture = try await harness.call(.POST, "/v1/payments/\(created.id)/capture", bearer: tenant.key)
        XCTAssertEqual(capture.status, 409)
        XCTAssertEqual(capture.errorCode, "invalid_state")
        let cancels = try await harness.operations("kind=cancel&coffer_id=\(created.id)")
        XCTAssertEqual(cancels.count, 1)
        let event = await eventually { self.harness.published("payment.canceled").count == 1 }
        XCTAssertTrue(event)

        let automatic = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 2500, "currency": "GBP"])
        let late = try await harness.call(.POST, "/v1/payments/\(automatic.id)/cancel", bearer: tenant.key)
        XCTAssertEqual(late.status, 409, "a captured payment is refunded, not canceled")
    }

    func testDeclinedPaymentIs402WithThePaymentAndIsStoredForReplay() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        let body: JSONValue = [
            "amount": 1999, "currency": "USD", "payment_method": "pm_card_chargeDeclinedInsufficientFunds",
        ]
        let declined = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: body, idempotencyKey: "declined-1")
        XCTAssertEqual(declined.status, 402, declined.text)
        XCTAssertEqual(declined.errorCode, "payment_declined")
        let payment = try XCTUnwrap(declined.body["error"]?["payment"])
        XCTAssertEqual(payment["status"]?.stringValue, "failed")
        XCTAssertEqual(payment["failure_code"]?.stringValue, "insufficient_funds")
        let id = try XCTUnwrap(payment["id"]?.stringValue)
        let stored = try await harness.payment(id, tenant)
        XCTAssertEqual(stored["status"]?.stringValue, "failed")
        XCTAssertEqual(stored["fulfillment"], .null)
        let replay = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: body, idempotencyKey: "declined-1")
        XCTAssertEqual(replay.status, 402)
        XCTAssertEqual(replay.headers["Idempotent-Replayed"], "true")
        let failed = await eventually { self.harness.published("payment.failed").count == 1 }
        XCTAssertTrue(failed)
        let balances = try await harness.ledgerBalances(tenantID: tenant.id)
        XCTAssertTrue(balances.isEmpty, "a declined payment posts nothing: \(balances)")
    }

    func testPartialRefundsThenTheLastOneRevokesTheFulfilmentAndTakesBackThePayeesShare() async throws {
        let tenant = try await harness.createTenant(settings: ["fees": ["platform_fee_bps": 1000]])
        try await harness.connectStripe(tenant)
        let payee = try await harness.upsertPayee(tenantID: tenant.id)
        let payment = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: ["amount": 10_000, "currency": "USD", "payee_id": .string(payee)])
        XCTAssertEqual(payment["status"]?.stringValue, "captured")
        let first = try await harness.call(
            .POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key,
            json: ["amount": 3333, "reason": "requested_by_customer", "metadata": ["ticket": "CS-1"]])
        XCTAssertEqual(first.status, 201, first.text)
        XCTAssertEqual(first["status"]?.stringValue, "succeeded")
        XCTAssertEqual(first["metadata"]?["ticket"]?.stringValue, "CS-1")
        var current = try await harness.payment(payment.id, tenant)
        XCTAssertEqual(current["status"]?.stringValue, "partially_refunded")
        XCTAssertEqual(current["amount_refunded"]?.int64Value, 3333)
        XCTAssertEqual(
            current["fulfillment"]?["status"]?.stringValue, "fulfilled", "a partial refund keeps the goods delivered")

        let rest = try await harness.call(.POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: [:])
        XCTAssertEqual(rest.status, 201, rest.text)
        XCTAssertEqual(rest["amount"]?.int64Value, 6667, "no amount refunds what is left")
        current = try await harness.payment(payment.id, tenant)
        XCTAssertEqual(current["status"]?.stringValue, "refunded")
        XCTAssertEqual(current["amount_refundable"]?.int64Value, 0)
        XCTAssertEqual(current["fulfillment"]?["status"]?.stringValue, "revoked")
        let none = try await harness.call(
            .POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: ["amount": 1])
        XCTAssertEqual(none.status, 409, "a refunded payment takes no more refunds")

        let revoked = await eventually { self.harness.published("fulfillment.revoked").count == 1 }
        XCTAssertTrue(revoked)
        let debits = await eventually { self.harness.published("payee.debited").count == 2 }
        XCTAssertTrue(debits)
        let debited = harness.published("payee.debited").compactMap { $0.data["amount"]?.int64Value }.reduce(0, +)
        XCTAssertEqual(
            debited, 9000, "the refunds take back exactly the payee's net (proportional, the last one exact)")
        let balances = try await harness.ledgerBalances(tenantID: tenant.id)
        XCTAssertEqual(balances["payee_payable:\(payee)"], 0)
        XCTAssertEqual(balances["provider_clearing"], 0)
        XCTAssertEqual(balances.values.reduce(0, +), 0)

        let list = try await harness.call(.GET, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key)
        XCTAssertEqual(list["data"]?.arrayValue?.count, 2)
        let fetched = try await harness.call(.GET, "/v1/refunds/\(first.id)", bearer: tenant.key)
        XCTAssertEqual(fetched["amount"]?.int64Value, 3333)
    }

    func testTwentyConcurrentPartialRefundsNeverExceedTheCapturedAmount() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        let payment = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 10_000, "currency": "USD"])
        XCTAssertEqual(payment["status"]?.stringValue, "captured")
        let harness = self.harness!
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await harness.call(
                        .POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: ["amount": 700],
                        idempotencyKey: "refund-\(index)"
                    ).status
                }
            }
            var collected: [Int] = []
            for try await status in group { collected.append(status) }
            return collected
        }
        XCTAssertEqual(statuses.filter { $0 == 201 }.count, 14, "\(statuses)")
        XCTAssertEqual(statuses.filter { $0 == 400 }.count, 6, "\(statuses)")
        let current = try await harness.payment(payment.id, tenant)
        XCTAssertEqual(current["amount_refunded"]?.int64Value, 9800)
        let refunds = try await harness.operations("kind=refund&provider=stripe")
        XCTAssertEqual(refunds.count, 14, "the provider refunded exactly what Coffer accepted")
        let summary = try await harness.operationsSummary()
        XCTAssertEqual(summary["clean"]?.boolValue, true)
    }

    func testRefundPolicyWindowShareAndApprovalByAnotherKey() async throws {
        let tenant = try await harness.createTenant(settings: [
            "refund_policy": ["window_days": 30, "max_refund_share_bps": 8000, "approval_thresholds": ["USD": 5000]]
        ])
        try await harness.connectStripe(tenant)
        let payment = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 10_000, "currency": "USD"])
        let beyondShare = try await harness.call(
            .POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: [:])
        XCTAssertEqual(beyondShare.status, 400)
        XCTAssertEqual(beyondShare.errorCode, "refund_exceeds_policy")

        let big = try await harness.call(
            .POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: ["amount": 6000])
        XCTAssertEqual(big.status, 201, big.text)
        XCTAssertEqual(big["status"]?.stringValue, "pending_approval")
        let providerRefunds = try await harness.operations("kind=refund")
        XCTAssertTrue(providerRefunds.isEmpty, "nothing reaches the provider before approval")
        let reserved = try await harness.call(
            .POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: ["amount": 2500])
        XCTAssertEqual(reserved.status, 400, "the waiting refund holds its amount: 8000 allowed, 6000 held")

        let sameKey = try await harness.call(.POST, "/v1/refunds/\(big.id)/approve", bearer: tenant.key)
        XCTAssertEqual(sameKey.status, 403)
        XCTAssertEqual(sameKey.errorCode, "approver_must_differ")
        let reader = try await harness.createKey(tenantID: tenant.id, role: "read_only")
        let readOnly = try await harness.call(.POST, "/v1/refunds/\(big.id)/approve", bearer: reader.secret)
        XCTAssertEqual(readOnly.status, 403)
        XCTAssertEqual(readOnly.errorCode, "insufficient_role")
        let approver = try await harness.createKey(tenantID: tenant.id, role: "approver")
        let approved = try await harness.call(.POST, "/v1/refunds/\(big.id)/approve", bearer: approver.secret)
        XCTAssertEqual(approved.status, 200, approved.text)
        XCTAssertEqual(approved["status"]?.stringValue, "succeeded")
        XCTAssertEqual(approved["approved_by"]?.stringValue, approver.id)
        let cannotWrite = try await harness.call(
            .POST, "/v1/payments", bearer: approver.secret, json: ["amount": 100, "currency": "USD"])
        XCTAssertEqual(cannotWrite.status, 403, "an approver key approves; it does not charge")

        // A second one, declined by the approver: its hold is released.
        let second = try await harness.call(
            .POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: ["amount": 1500])
        XCTAssertEqual(second["status"]?.stringValue, "succeeded", "at or below the threshold no approval is needed")
        let paymentTwo = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 10_000, "currency": "USD"])
        let waiting = try await harness.call(
            .POST, "/v1/payments/\(paymentTwo.id)/refunds", bearer: tenant.key, json: ["amount": 7000])
        XCTAssertEqual(waiting["status"]?.stringValue, "pending_approval")
        let declined = try await harness.call(.POST, "/v1/refunds/\(waiting.id)/cancel", bearer: approver.secret)
        XCTAssertEqual(declined.status, 200, declined.text)
        XCTAssertEqual(declined["status"]?.stringValue, "canceled")
        let afterCancel = try await harness.payment(paymentTwo.id, tenant)
        XCTAssertEqual(afterCancel["amount_refundable"]?.int64Value, 10_000)
        let approveCanceled = try await harness.call(
            .POST, "/v1/refunds/\(waiting.id)/approve", bearer: approver.secret)
        XCTAssertEqual(approveCanceled.status, 409)

        // Past the window.
        try await harness.withSuperuserPool { pool in
            try await pool.execute(
                "UPDATE payments.payments SET captured_at = now() - interval '31 days' WHERE id = \(paymentTwo.id)")
        }
        let late = try await harness.call(
            .POST, "/v1/payments/\(paymentTwo.id)/refunds", bearer: tenant.key, json: ["amount": 100])
        XCTAssertEqual(late.status, 409)
        XCTAssertEqual(late.errorCode, "refund_window_expired")
        let audit = try await harness.call(.GET, "/v1/audit?limit=100", bearer: tenant.key)
        let actions = audit["data"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
        XCTAssertTrue(actions.contains("refund.approved") && actions.contains("refund.canceled"), "\(actions)")
    }

    func testIdempotencyKeyReusedWithAnotherBodyOrWhileInFlight() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        let first = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 500, "currency": "USD"],
            idempotencyKey: "k-1")
        XCTAssertEqual(first.status, 201)
        let reordered = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            rawBody: Array(#"{ "currency" : "USD", "amount" : 500 }"#.utf8), idempotencyKey: "k-1")
        XCTAssertEqual(reordered.status, 201, "the same JSON with other spacing and key order is the same request")
        XCTAssertEqual(reordered.headers["Idempotent-Replayed"], "true")
        let different = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 501, "currency": "USD"],
            idempotencyKey: "k-1")
        XCTAssertEqual(different.status, 422)
        XCTAssertEqual(different.errorCode, "idempotency_key_reused")
        let otherPath = try await harness.call(
            .POST, "/v1/payments/\(first.id)/refunds", bearer: tenant.key, json: ["amount": 500, "currency": "USD"],
            idempotencyKey: "k-1")
        XCTAssertEqual(otherPath.status, 422)

        // A slow provider: the second request with the same key arrives while the first is running.
        try await harness.misbehave("stripe", ["latency_ms": 1500])
        let harness = self.harness!
        async let slow = harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 700, "currency": "USD"], idempotencyKey: "k-2")
        try await Task.sleep(for: .milliseconds(400))
        let overlapping = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 700, "currency": "USD"],
            idempotencyKey: "k-2")
        XCTAssertEqual(overlapping.status, 409)
        XCTAssertEqual(overlapping.errorCode, "idempotency_key_in_use")
        let finished = try await slow
        XCTAssertEqual(finished.status, 201)
        // Another tenant's identical key is its own.
        let other = try await harness.createTenant(name: "Other")
        try await harness.connectStripe(other)
        try await harness.misbehave("stripe", ["latency_ms": 0])
        let theirs = try await harness.call(
            .POST, "/v1/payments", bearer: other.key, json: ["amount": 500, "currency": "USD"],
            idempotencyKey: "k-1")
        XCTAssertEqual(theirs.status, 201)
        XCTAssertNil(theirs.headers["Idempotent-Replayed"])
        XCTAssertNotEqual(theirs.id, first.id)
    }

    func testProviderTimeoutIsRetriedUnderTheSameKeySoThePaymentIsMadeOnce() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        // The provider executes the first call but its answer never arrives in time.
        try await harness.misbehave("stripe", ["timeout_next": 1, "timeout_ms": 4000])
        let created = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 4200, "currency": "USD"])
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created["status"]?.stringValue, "captured")
        let creates = try await harness.operations("kind=create_payment&coffer_id=\(created.id)")
        XCTAssertEqual(creates.count, 1, "the retry was answered from the provider's idempotency store")
        let summary = try await harness.operationsSummary()
        XCTAssertEqual(summary["clean"]?.boolValue, true, summary.serializedText)
    }

    func testFailoverToTheNextConnectorWhileThePrimarysBreakerIsOpen() async throws {
        try await harness.restart(changes: ["PROVIDER_BREAKER_FAILURES": "2", "PROVIDER_MAX_ATTEMPTS": "2"])
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant, priority: 1)
        try await harness.connectRazorpay(tenant, priority: 2)
        try await harness.misbehave("stripe", ["fail_next": 50, "fail_status": 503])
        let first = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 5000, "currency": "INR"])
        XCTAssertEqual(
            first.status, 202, "Stripe is down: the outcome is unknown and the resolver will finish it: \(first.text)")
        XCTAssertEqual(first["status"]?.stringValue, "processing")
        XCTAssertEqual(first["provider"]?.stringValue, "stripe")
        let second = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 5000, "currency": "INR"])
        XCTAssertEqual(second.status, 201, second.text)
        XCTAssertEqual(
            second["provider"]?.stringValue, "razorpay", "the open breaker sends new payments to the next connector")
        XCTAssertEqual(second["status"]?.stringValue, "requires_action")
        XCTAssertEqual(second["next_action"]?["type"]?.stringValue, "redirect_to_url")
        let explicit = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: ["amount": 5000, "currency": "INR", "provider": "stripe"])
        XCTAssertEqual(explicit.status, 503, "a payment that asks for Stripe is not sent elsewhere")
        XCTAssertEqual(explicit.errorCode, "provider_unavailable")
        XCTAssertNotNil(explicit.headers["Retry-After"])
    }

    func testBadInputIsRefusedByNameAndAFixedRequestMayReuseItsKey() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        for (body, code, param) in [
            (["amount": 0, "currency": "USD"] as JSONValue, "invalid_amount", "amount"),
            (["amount": "10.50", "currency": "USD"], "invalid_amount", "amount"),
            (["amount": 100, "currency": "XYZ"], "invalid_currency", "currency"),
            (["amount": 100, "currency": "USD", "capture_method": "later"], "invalid_request", "capture_method"),
            (["amount": 100, "currency": "USD", "card_number": "4242424242424242"], "unknown_fields", "card_number"),
            (
                ["amount": 100, "currency": "USD", "customer": ["email": "not-an-email"]], "invalid_request",
                "customer.email"
            ),
            (["amount": 100, "currency": "USD", "customer": ["ssn": "1"]], "unknown_fields", "customer.ssn"),
            (["amount": 100, "currency": "USD", "provider": "bitcoin"], "invalid_provider", "provider"),
            (["amount": 100, "currency": "USD", "provider": "mtn"], "no_connector", "provider"),
        ] {
            let refused = try await harness.call(.POST, "/v1/payments", bearer: tenant.key, json: body)
            XCTAssertEqual(refused.status, 400, "\(body): \(refused.text)")
            XCTAssertEqual(refused.errorCode, code, "\(body)")
            XCTAssertEqual(refused.body["error"]?["param"]?.stringValue, param, "\(body)")
            XCTAssertFalse(refused.text.contains("4242424242424242"), "a card number never comes back")
        }
        let notJSON = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, rawBody: Array("amount=100".utf8))
        XCTAssertEqual(notJSON.errorCode, "invalid_json")
        // An unknown payee is refused before anything happens, so the same key may be used once fixed.
        let payee = CofferID.generate(.payee)
        let unknown = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: ["amount": 100, "currency": "USD", "payee_id": .string(payee)], idempotencyKey: "fix-me")
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown.errorCode, "unknown_payee")
        _ = try await harness.upsertPayee(tenantID: tenant.id, payeeID: payee)
        let fixed = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: ["amount": 100, "currency": "USD", "payee_id": .string(payee)], idempotencyKey: "fix-me")
        XCTAssertEqual(fixed.status, 201, fixed.text)
        let payments = try await harness.withSuperuserPool { pool in
            try await pool.query("SELECT count(*) FROM payments.payments WHERE tenant_id = \(tenant.id)").first?.decode(
                Int64.self, at: 0)
        }
        XCTAssertEqual(payments, 1, "refused requests left nothing behind")
        let reader = try await harness.createKey(tenantID: tenant.id, role: "read_only")
        let readOnly = try await harness.call(
            .POST, "/v1/payments", bearer: reader.secret, json: ["amount": 100, "currency": "USD"])
        XCTAssertEqual(readOnly.status, 403)
        let listed = try await harness.call(.GET, "/v1/payments?status=captured&limit=1", bearer: reader.secret)
        XCTAssertEqual(listed["data"]?.arrayValue?.count, 1)
        let badFilter = try await harness.call(.GET, "/v1/payments?status=lost", bearer: reader.secret)
        XCTAssertEqual(badFilter.status, 400)
    }
}

extension JSONValue {
    var serializedText: String { String(decoding: serialized(), as: UTF8.self) }
}
