import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Every misbehaviour switch of `POST /_sandbox/behaviour`, through the real process.
final class SandboxMisbehaviourTests: XCTestCase {
    func testFailNextAnswersOutagesInEachProvidersShapeWithoutExecuting() async throws {
        let harness = try await SandboxHarness.start()
        let stripe = try await harness.registerStripe(webhookURL: nil)
        try await harness.behaviour("stripe", account: stripe.secretKey, ["fail_next": 2, "fail_status": 503])
        let form = [("amount", "1000"), ("currency", "usd"), ("metadata[coffer_payment_id]", "pay_01FAIL")]
        for attempt in 1...2 {
            let (failed, body) = try await harness.stripe(
                .POST, "/v1/payment_intents", key: stripe.secretKey, form: form,
                idempotencyKey: "fail-key")
            XCTAssertEqual(failed.status.code, 503, "attempt \(attempt)")
            XCTAssertEqual(body.value(at: "error.type"), "api_error")
        }
        let (succeeded, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: stripe.secretKey, form: form,
            idempotencyKey: "fail-key")
        XCTAssertEqual(succeeded.status, .ok, "the outage answers were not kept for the key")
        XCTAssertNil(succeeded.headers["Idempotent-Replayed"])
        let (replayed, replay) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: stripe.secretKey, form: form,
            idempotencyKey: "fail-key")
        XCTAssertEqual(replayed.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(replay["id"], intent["id"])
        let created = try await harness.operations("?provider=stripe&kind=create_payment")
        XCTAssertEqual(created.count, 1, "failed calls executed nothing")

        // Provider-wide switches hit every account of the provider; 429s and 500s look like the provider's.
        try await harness.behaviour("stripe", ["fail_next": 1, "fail_status": 429])
        let other = try await harness.registerStripe(webhookURL: nil)
        let (limited, limitedBody) = try await harness.stripe(.GET, "/v1/payment_intents/pi_x", key: other.secretKey)
        XCTAssertEqual(limited.status.code, 429)
        XCTAssertEqual(limitedBody.value(at: "error.code"), "rate_limit")

        let razorpay = try await harness.registerRazorpay(webhookURL: nil)
        try await harness.behaviour("razorpay", ["fail_next": 1, "fail_status": 500])
        let (razorpayFailed, razorpayBody) = try await harness.razorpay(
            .POST, "/v1/orders", keyID: razorpay.keyID,
            keySecret: razorpay.keySecret, json: ["amount": 1000, "currency": "INR"])
        XCTAssertEqual(razorpayFailed.status.code, 500)
        XCTAssertEqual(razorpayBody.value(at: "error.code"), "SERVER_ERROR")

        let paypal = try await harness.registerPayPal(webhookURL: nil)
        let token = try await harness.paypalToken(paypal)
        try await harness.behaviour("paypal", account: paypal.clientID, ["fail_next": 1, "fail_status": 503])
        let (paypalFailed, paypalBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token,
            json: [
                "intent": "CAPTURE", "purchase_units": [["amount": ["currency_code": "USD", "value": "1.00"]]],
            ], requestID: "pp-fail")
        XCTAssertEqual(paypalFailed.status.code, 503)
        XCTAssertEqual(paypalBody["name"], "SERVICE_UNAVAILABLE")
        let behaviour = try await harness.control(.GET, "/_sandbox/behaviour")
        XCTAssertEqual(behaviour.value(at: "stripe.fail_next")?.int64Value, 0, "used up")
        XCTAssertEqual(behaviour.value(at: "razorpay.fail_next")?.int64Value, 0)
        await harness.stop()
    }

    func testTimeoutExecutesButWithholdsTheAnswerSoOnlyTheIdempotencyKeyPreventsADoubleCharge() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerStripe(webhookURL: nil)
        try await harness.behaviour("stripe", account: account.secretKey, ["timeout_next": 1, "timeout_ms": 1500])
        let form = [
            ("amount", "4500"), ("currency", "usd"), ("confirm", "true"),
            ("metadata[coffer_payment_id]", "pay_01TIMEOUT"),
        ]
        do {
            _ = try await harness.stripe(
                .POST, "/v1/payment_intents", key: account.secretKey, form: form, idempotencyKey: "timeout-1",
                timeout: .milliseconds(400))
            XCTFail("the answer should have been withheld past the client's timeout")
        } catch let error as HTTPClientError {
            XCTAssertEqual(error.kind, .timeout)
        }
        // It executed all the same.
        let executed = try await harness.operations("?provider=stripe")
        XCTAssertEqual(executed.count, 1)
        // A well-behaved retry with the same key gets the original answer and executes nothing.
        let (retried, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey, form: form,
            idempotencyKey: "timeout-1")
        XCTAssertEqual(retried.status, .ok)
        XCTAssertEqual(retried.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(intent["id"], executed.first?["object_id"])
        var summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], true)
        // A careless retry with a new key charges twice — and the summary says so.
        _ = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey, form: form, idempotencyKey: "timeout-2")
        summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], false)
        XCTAssertEqual(summary.value(at: "duplicates.coffer_ids.0.coffer_id"), "pay_01TIMEOUT")

        // PayPal the same way: a capture that timed out replays for its PayPal-Request-Id.
        let paypal = try await harness.registerPayPal(webhookURL: nil)
        let token = try await harness.paypalToken(paypal)
        let (_, order) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token,
            json: [
                "intent": "CAPTURE",
                "purchase_units": [
                    ["custom_id": "pay_01PPTIMEOUT", "amount": ["currency_code": "USD", "value": "2.00"]]
                ],
            ])
        let orderID = try XCTUnwrap(order["id"]?.stringValue)
        _ = try await harness.control(.POST, "/_sandbox/complete/paypal/\(orderID)")
        try await harness.behaviour("paypal", account: paypal.clientID, ["timeout_next": 1, "timeout_ms": 1500])
        do {
            _ = try await harness.client.send(
                HTTPClientRequest(
                    method: .POST, url: harness.baseURL + "/paypal/v2/checkout/orders/\(orderID)/capture",
                    headers: [
                        "Authorization": "Bearer \(token)", "PayPal-Request-Id": "pp-capture-timeout",
                        "Content-Type": "application/json",
                    ],
                    timeout: .milliseconds(400), retryPolicy: RetryPolicy.none))
            XCTFail("the answer should have been withheld")
        } catch let error as HTTPClientError {
            XCTAssertEqual(error.kind, .timeout)
        }
        let (again, againBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders/\(orderID)/capture", token: token,
            requestID: "pp-capture-timeout")
        XCTAssertEqual(again.status, .created, again.bodyText)
        XCTAssertEqual(againBody["status"], "COMPLETED")
        let captures = try await harness.operations("?provider=paypal&kind=capture")
        XCTAssertEqual(captures.count, 1)
        await harness.stop()
    }

    func testLatencyDelaysEveryCall() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerStripe(webhookURL: nil)
        try await harness.behaviour("stripe", account: account.secretKey, ["latency_ms": 300])
        let started = ContinuousClock.now
        let (response, _) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "100"), ("currency", "usd")])
        XCTAssertEqual(response.status, .ok)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(300))
        try await harness.behaviour("stripe", account: account.secretKey, ["latency_ms": 0])
        let quick = ContinuousClock.now
        _ = try await harness.stripe(.GET, "/v1/payment_intents/pi_x", key: account.secretKey)
        XCTAssertLessThan(ContinuousClock.now - quick, .milliseconds(300))
        await harness.stop()
    }

    func testDuplicatedWebhooksCarryTheSameEventIDAndFailedDeliveriesAreRetried() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: sink.url("stripe"))
        try await harness.behaviour("stripe", account: account.secretKey, ["webhook_duplicates": 2])
        let (_, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "100"), ("currency", "usd"), ("confirm", "true")])
        let received = try await sink.wait(for: 6, name: "stripe")
        let byEvent = Dictionary(grouping: received, by: { $0.eventID ?? "" })
        XCTAssertEqual(byEvent.count, 2, "two events")
        XCTAssertTrue(byEvent.values.allSatisfy { $0.count == 3 }, "each sent three times")
        XCTAssertTrue(byEvent.values.allSatisfy { Set($0.map(\.body)).count == 1 }, "byte for byte the same body")
        XCTAssertTrue(received.allSatisfy { WebhookVerification.stripe($0, secret: account.webhookSecret) })
        XCTAssertEqual(received.first?.json.value(at: "data.object.id"), intent["latest_charge"])

        // The endpoint fails twice: the sandbox retries with backoff until it answers 2xx.
        try await harness.behaviour("stripe", account: account.secretKey, ["webhook_duplicates": 0])
        sink.failNext(2)
        let before = sink.all().count
        let (_, pending) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "300"), ("currency", "usd")])
        _ = try await harness.stripe(
            .POST, "/v1/payment_intents/\(pending["id"]?.stringValue ?? "")/cancel", key: account.secretKey)
        let canceled = try await sink.wait(for: 3, name: "stripe", type: "payment_intent.canceled")
        XCTAssertEqual(canceled.count, 3, "one event, sent three times: two failures and a success")
        XCTAssertEqual(Set(canceled.map(\.eventID)).count, 1)
        XCTAssertEqual(sink.all().count - before, 3)
        try await harness.eventually("the delivery is recorded") {
            let records = try await harness.webhookRecords("?provider=stripe&type=payment_intent.canceled")
            return records.first?["status"] == "delivered"
        }
        let record = try await harness.webhookRecords("?provider=stripe&type=payment_intent.canceled").first
        XCTAssertEqual(record?["attempts"]?.int64Value, 3)
        XCTAssertEqual(record?["last_status"]?.int64Value, 200)
        await sink.stop()
        await harness.stop()
    }

    func testReorderedWebhooksAreHeldAndSentNewestFirstPerPayment() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: sink.url("stripe"))
        try await harness.behaviour("stripe", account: account.secretKey, ["webhook_reorder": true])
        let (_, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [
                ("amount", "900"), ("currency", "usd"), ("confirm", "true"), ("capture_method", "manual"),
            ])
        let id = try XCTUnwrap(intent["id"]?.stringValue)
        _ = try await harness.stripe(.POST, "/v1/payment_intents/\(id)/capture", key: account.secretKey)
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertTrue(sink.all().isEmpty, "held")
        let held = try await harness.webhookRecords("?provider=stripe&status=held")
        XCTAssertEqual(held.count, 4)

        let flushed = try await harness.control(.POST, "/_sandbox/webhooks/flush")
        XCTAssertEqual(flushed["flushed"]?.int64Value, 4)
        let received = try await sink.wait(for: 4, name: "stripe")
        XCTAssertEqual(
            received.map(\.eventType),
            [
                "payment_intent.succeeded", "charge.captured", "payment_intent.amount_capturable_updated",
                "charge.succeeded",
            ], "the reverse of the order they happened in")
        XCTAssertTrue(received.allSatisfy { WebhookVerification.stripe($0, secret: account.webhookSecret) })
        await sink.stop()
        await harness.stop()
    }

    func testDroppedWebhooksNeverArriveAndBadSignaturesDoNotVerify() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let stripe = try await harness.registerStripe(webhookURL: sink.url("stripe"))
        try await harness.behaviour("stripe", account: stripe.secretKey, ["webhook_drop": true])
        _ = try await harness.stripe(
            .POST, "/v1/payment_intents", key: stripe.secretKey,
            form: [("amount", "100"), ("currency", "usd"), ("confirm", "true")])
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertTrue(sink.all().isEmpty)
        let dropped = try await harness.webhookRecords("?provider=stripe&status=dropped")
        XCTAssertEqual(
            dropped.compactMap { $0["event_type"]?.stringValue }, ["charge.succeeded", "payment_intent.succeeded"])

        // Bad signatures: the right headers, a signature that does not verify — for each provider.
        try await harness.behaviour("stripe", ["webhook_bad_signature": true])
        try await harness.behaviour("razorpay", ["webhook_bad_signature": true])
        try await harness.behaviour("paypal", ["webhook_bad_signature": true])
        let badStripe = try await harness.registerStripe(webhookURL: sink.url("stripe-bad"))
        _ = try await harness.stripe(
            .POST, "/v1/payment_intents", key: badStripe.secretKey,
            form: [("amount", "100"), ("currency", "usd"), ("confirm", "true")])
        let razorpay = try await harness.registerRazorpay(webhookURL: sink.url("razorpay-bad"))
        _ = try await harness.razorpay(
            .POST, "/v1/orders", keyID: razorpay.keyID, keySecret: razorpay.keySecret,
            json: ["amount": 1000, "currency": "INR"])
        let paypal = try await harness.registerPayPal(webhookURL: sink.url("paypal-bad"))
        let token = try await harness.paypalToken(paypal)
        _ = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token,
            json: [
                "intent": "CAPTURE", "purchase_units": [["amount": ["currency_code": "USD", "value": "1.00"]]],
            ])
        let stripeBad = try await sink.wait(for: 2, name: "stripe-bad")
        XCTAssertTrue(stripeBad.allSatisfy { $0.headers["Stripe-Signature"]?.hasPrefix("t=") ?? false })
        XCTAssertTrue(stripeBad.allSatisfy { !WebhookVerification.stripe($0, secret: badStripe.webhookSecret) })
        let razorpayBad = try await sink.wait(for: 1, name: "razorpay-bad")
        XCTAssertTrue(razorpayBad.allSatisfy { $0.headers["X-Razorpay-Signature"]?.count == 64 })
        XCTAssertTrue(razorpayBad.allSatisfy { !WebhookVerification.razorpay($0, secret: razorpay.webhookSecret) })
        let certificate = try X509Certificate(
            pem: try await harness.send(.GET, "/_sandbox/paypal/certificate").bodyText)
        let paypalBad = try await sink.wait(for: 1, name: "paypal-bad")
        XCTAssertTrue(
            paypalBad.allSatisfy {
                !WebhookVerification.paypal($0, webhookID: paypal.webhookID, certificate: certificate)
            })
        let records = try await harness.webhookRecords("?provider=paypal")
        XCTAssertEqual(records.first?["bad_signature"], true)
        await sink.stop()
        await harness.stop()
    }

    func testWebhookDelayHoldsDeliveryButNotTheAPICall() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerRazorpay(webhookURL: sink.url("razorpay"))
        try await harness.behaviour(
            "razorpay", account: account.keyID, ["webhook_delay_ms": 600, "auto_complete_delay_ms": 0])
        let started = ContinuousClock.now
        let (response, _) = try await harness.razorpay(
            .POST, "/v1/orders", keyID: account.keyID, keySecret: account.keySecret,
            json: ["amount": 1000, "currency": "INR"])
        XCTAssertEqual(response.status, .ok)
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(400), "an API call never waits for its webhooks")
        let received = try await sink.wait(for: 3, name: "razorpay")
        XCTAssertGreaterThanOrEqual(received[0].at - started, .milliseconds(600))
        await sink.stop()
        await harness.stop()
    }

    func testBehaviourIsValidatedShownPerAccountAndResetForgetsObjectsButKeepsAccounts() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerStripe(webhookURL: nil)
        try await harness.control(.POST, "/_sandbox/behaviour", ["provider": "stripe", "fail_nxt": 1], expect: 400)
        try await harness.control(.POST, "/_sandbox/behaviour", ["provider": "visa", "fail_next": 1], expect: 400)
        try await harness.control(
            .POST, "/_sandbox/behaviour", ["provider": "stripe", "fail_status": 200], expect: 400)
        try await harness.control(
            .POST, "/_sandbox/behaviour", ["provider": "stripe", "account": "sk_test_nobody", "fail_next": 1],
            expect: 404)
        try await harness.behaviour("stripe", account: account.secretKey, ["latency_ms": 5, "webhook_duplicates": 1])
        try await harness.behaviour("stripe", ["auto_complete_delay_ms": 50])
        let shown = try await harness.control(.GET, "/_sandbox/behaviour")
        XCTAssertEqual(shown.value(at: "stripe.auto_complete_delay_ms")?.int64Value, 50)
        XCTAssertEqual(shown.value(at: "razorpay.auto_complete_delay_ms")?.int64Value, 200, "other providers untouched")
        let overrides = try XCTUnwrap(shown.value(at: "stripe.accounts")?.objectValue)
        XCTAssertEqual(overrides.count, 1)
        XCTAssertEqual(overrides.values.first?["latency_ms"]?.int64Value, 5)
        XCTAssertNil(overrides.values.first?["fail_next"], "only what was set")

        let (_, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "100"), ("currency", "usd")])
        let id = try XCTUnwrap(intent["id"]?.stringValue)
        try await harness.control(.POST, "/_sandbox/reset")
        let afterReset = try await harness.control(.GET, "/_sandbox/behaviour")
        XCTAssertEqual(afterReset.value(at: "stripe.auto_complete_delay_ms")?.int64Value, 200)
        XCTAssertEqual(afterReset.value(at: "stripe.accounts")?.objectValue?.count, 0)
        let (forgotten, _) = try await harness.stripe(.GET, "/v1/payment_intents/\(id)", key: account.secretKey)
        XCTAssertEqual(forgotten.status, .notFound, "objects are forgotten; the account still authenticates")
        let operations = try await harness.operations()
        XCTAssertTrue(operations.isEmpty)

        try await harness.control(.POST, "/_sandbox/reset", ["accounts": true])
        let (unknown, _) = try await harness.stripe(.GET, "/v1/payment_intents/\(id)", key: account.secretKey)
        XCTAssertEqual(unknown.status, .unauthorized)
        let listed = try await harness.control(.GET, "/_sandbox/accounts")
        XCTAssertEqual(listed["data"]?.arrayValue?.count, 0)
        await harness.stop()
    }
}
