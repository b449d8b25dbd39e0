import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Steering payouts for tests: held settlement, settling and failing on request, reversals, balances
/// that run short, and the misbehaviour switches on payout calls.
final class SandboxPayoutControlTests: XCTestCase {
    func testHeldPayoutsAreSettledFailedAndReversedOnRequest() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerRazorpay(webhookURL: sink.url("razorpayx"))
        try await harness.behaviour("razorpay", account: account.keyID, ["payout_auto_settle": false])
        func pay(_ reference: String) async throws -> String {
            let (response, payout) = try await harness.razorpay(
                .POST, "/v1/payouts", keyID: account.keyID, keySecret: account.keySecret,
                json: SandboxHarness.razorpayPayout(reference: reference),
                headers: ["X-Payout-Idempotency": reference + "-key"])
            XCTAssertEqual(response.status, .ok, response.bodyText)
            return try XCTUnwrap(payout["id"]?.stringValue)
        }
        let kept = try await pay("po_01KEEP")
        let dropped = try await pay("po_01DROP")
        try await Task.sleep(for: .milliseconds(400))
        XCTAssertTrue(sink.all().isEmpty, "held payouts wait for the control API")

        let processed = try await harness.payoutAction("razorpay", kept, "process")
        XCTAssertEqual(processed["changed"], true)
        XCTAssertEqual(processed.value(at: "object.status"), "processed")
        let again = try await harness.payoutAction("razorpay", kept, "fail")
        XCTAssertEqual(again["changed"], false, "a settled payout stays settled")
        let failed = try await harness.payoutAction("razorpay", dropped, "fail")
        XCTAssertEqual(failed.value(at: "object.status"), "failed")
        XCTAssertEqual(failed.value(at: "object.status_details.reason"), "beneficiary_bank_failure")
        try await harness.payoutAction("razorpay", dropped, "reverse", expect: 409)

        let reversed = try await harness.payoutAction("razorpay", kept, "reverse")
        XCTAssertEqual(reversed.value(at: "object.status"), "reversed")
        let event = try await sink.wait(for: 1, name: "razorpayx", type: "payout.reversed")
        XCTAssertTrue(WebhookVerification.razorpay(try XCTUnwrap(event.first), secret: account.webhookSecret))
        XCTAssertEqual(event.first?.json.value(at: "payload.payout.entity.status"), "reversed")
        XCTAssertEqual(event.first?.json.value(at: "payload.payout.entity.reference_id"), "po_01KEEP")
        try await harness.payoutAction("razorpay", kept, "reverse", expect: 409)
        try await harness.payoutAction("razorpay", "pout_unknown", "process", expect: 404)
        try await harness.payoutAction("razorpay", kept, "explode", expect: 404)
        try await harness.payoutAction("paypal", kept, "process", expect: 404)
        let balances = try await harness.control(
            .GET, "/_sandbox/payouts/balances?provider=razorpay&account=\(account.keyID)")
        XCTAssertEqual(
            balances.value(at: "balances.7878780080316316")?.int64Value, 1_000_000_000_000,
            "the failed and the reversed payouts gave everything back")

        // MTN has no reversals; its transfers settle on request too.
        let mtn = try await harness.registerMTN(webhookURL: sink.url("mtn"))
        try await harness.behaviour("mtn", account: mtn.apiUser, ["payout_auto_settle": false])
        let token = try await harness.mtnToken(mtn)
        let reference = UUID().uuidString.lowercased()
        _ = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: mtn, json: SandboxHarness.mtnTransfer(externalID: "po_M"),
            headers: ["X-Reference-Id": reference])
        let (_, pending) = try await harness.mtn(.GET, "/v1_0/transfer/\(reference)", token: token, account: mtn)
        XCTAssertEqual(pending["status"], "PENDING")
        let settled = try await harness.payoutAction("mtn", reference, "fail")
        XCTAssertEqual(settled.value(at: "object.status"), "FAILED")
        try await harness.payoutAction("mtn", reference, "reverse", expect: 409)
        try await sink.wait(for: 1, name: "mtn", type: "FAILED")

        let kinds = try await harness.operations().compactMap { $0["kind"]?.stringValue }
        XCTAssertEqual(
            kinds, ["payout", "payout", "payout_failed", "payout_reversal", "payout", "payout_failed"])
        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], true)
        await sink.stop()
        await harness.stop()
    }

    func testALowBalanceRefusesOrQueuesRazorpayXPayoutsAndFailsMTNTransfers() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerRazorpay(webhookURL: nil)
        try await harness.control(
            .POST, "/_sandbox/payouts/balances",
            [
                "provider": "razorpay", "account": .string(account.keyID), "account_number": "7878780080316316",
                "available": 100_000,
            ])
        let body = SandboxHarness.razorpayPayout(reference: "po_01LOW")
        let (refused, refusedBody) = try await harness.razorpay(
            .POST, "/v1/payouts", keyID: account.keyID, keySecret: account.keySecret, json: body,
            headers: ["X-Payout-Idempotency": "low-1"])
        XCTAssertEqual(refused.status, .badRequest, "100,000 paise do not cover the fees too")
        XCTAssertNotNil(refusedBody.value(at: "error.description")?.stringValue)
        guard case .object(var members) = body else { return XCTFail("a JSON object") }
        members["queue_if_low_balance"] = true
        let (queued, queuedBody) = try await harness.razorpay(
            .POST, "/v1/payouts", keyID: account.keyID, keySecret: account.keySecret, json: .object(members),
            headers: ["X-Payout-Idempotency": "low-2"])
        XCTAssertEqual(queued.status, .ok, queued.bodyText)
        XCTAssertEqual(queuedBody["status"], "queued")
        XCTAssertEqual(queuedBody.value(at: "status_details.reason"), "low_balance")

        let mtn = try await harness.registerMTN(webhookURL: nil)
        try await harness.control(
            .POST, "/_sandbox/payouts/balances",
            ["provider": "mtn", "account": .string(mtn.apiUser), "currency": "EUR", "available": 100])
        let token = try await harness.mtnToken(mtn)
        let reference = UUID().uuidString.lowercased()
        _ = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: mtn, json: SandboxHarness.mtnTransfer(externalID: "po_L"),
            headers: ["X-Reference-Id": reference])
        try await harness.eventually("the transfer fails for want of funds") {
            let (_, status) = try await harness.mtn(.GET, "/v1_0/transfer/\(reference)", token: token, account: mtn)
            return status["reason"] == "NOT_ENOUGH_FUNDS"
        }
        let (_, balance) = try await harness.mtn(.GET, "/v1_0/account/balance", token: token, account: mtn)
        XCTAssertEqual(balance["availableBalance"], "1.00")
        await harness.stop()
    }

    func testOutagesTimeoutsAndLatencyApplyToPayoutCallsWithoutPayingTwice() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerRazorpay(webhookURL: nil)
        let body = SandboxHarness.razorpayPayout(reference: "po_01FLAKY")
        func post(timeout: Duration = .seconds(10)) async throws -> (HTTPClientResponse, JSONValue) {
            let headers: HTTPHeaders = [
                "Authorization": "Basic " + Base64.encode(Array("\(account.keyID):\(account.keySecret)".utf8)),
                "Content-Type": "application/json", "X-Payout-Idempotency": "flaky-key",
            ]
            let response = try await harness.send(
                .POST, "/razorpay/v1/payouts", headers: headers, body: body.serialized(), timeout: timeout)
            return (response, (try? JSONValue.parse(response.body)) ?? .null)
        }
        // An outage executes nothing, and leaves the key free.
        try await harness.behaviour("razorpay", account: account.keyID, ["fail_next": 1, "fail_status": 503])
        let (outage, outageBody) = try await post()
        XCTAssertEqual(outage.status.code, 503)
        XCTAssertEqual(outageBody.value(at: "error.code"), "SERVER_ERROR")
        let afterOutage = try await harness.operations("?kind=payout")
        XCTAssertTrue(afterOutage.isEmpty)

        // A timeout executes, then withholds the answer: the retry with the key gets the same payout.
        try await harness.behaviour("razorpay", account: account.keyID, ["timeout_next": 1, "timeout_ms": 1500])
        do {
            _ = try await post(timeout: .milliseconds(400))
            XCTFail("the answer should have been withheld")
        } catch let error as HTTPClientError {
            XCTAssertEqual(error.kind, .timeout)
        }
        let (retried, payout) = try await post()
        XCTAssertEqual(retried.status, .ok, retried.bodyText)
        let executed = try await harness.operations("?kind=payout")
        XCTAssertEqual(executed.count, 1)
        XCTAssertEqual(executed.first?["object_id"], payout["id"])

        // Latency delays the answer.
        try await harness.behaviour("razorpay", account: account.keyID, ["latency_ms": 300])
        let started = ContinuousClock.now
        let (slow, _) = try await post()
        XCTAssertEqual(slow.status, .ok)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(300))

        // MTN: a timed-out transfer was accepted; retrying its reference is a 409 and the status tells.
        let mtn = try await harness.registerMTN(webhookURL: nil)
        let token = try await harness.mtnToken(mtn)
        try await harness.behaviour("mtn", account: mtn.apiUser, ["timeout_next": 1, "timeout_ms": 1500])
        let reference = UUID().uuidString.lowercased()
        let transfer = SandboxHarness.mtnTransfer(externalID: "po_01SLOW")
        do {
            _ = try await harness.mtn(
                .POST, "/v1_0/transfer", token: token, account: mtn, json: transfer,
                headers: ["X-Reference-Id": reference], timeout: .milliseconds(400))
            XCTFail("the answer should have been withheld")
        } catch let error as HTTPClientError {
            XCTAssertEqual(error.kind, .timeout)
        }
        let (conflict, _) = try await harness.mtn(
            .POST, "/v1_0/transfer", token: token, account: mtn, json: transfer, headers: ["X-Reference-Id": reference])
        XCTAssertEqual(conflict.status, .conflict)
        let (found, _) = try await harness.mtn(.GET, "/v1_0/transfer/\(reference)", token: token, account: mtn)
        XCTAssertEqual(found.status, .ok)
        try await harness.behaviour("mtn", account: mtn.apiUser, ["fail_next": 1, "fail_status": 500])
        let (mtnOutage, mtnOutageBody) = try await harness.mtn(
            .GET, "/v1_0/account/balance", token: token, account: mtn)
        XCTAssertEqual(mtnOutage.status.code, 500)
        XCTAssertEqual(mtnOutageBody["code"], "INTERNAL_PROCESSING_ERROR")
        let mtnPayouts = try await harness.operations("?provider=mtn&kind=payout")
        XCTAssertEqual(mtnPayouts.count, 1)
        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], true)
        await harness.stop()
    }
}
