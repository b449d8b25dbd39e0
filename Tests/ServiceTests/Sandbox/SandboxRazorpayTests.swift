import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// The Razorpay look-alike through the real process: orders paid in simulated Checkout, captures,
/// refunds, signed webhooks with `x-razorpay-event-id`, and Razorpay's error shapes.
final class SandboxRazorpayTests: XCTestCase {
    func testOrderIsPaidInCheckoutCapturedAndRefundedWithSignedWebhooks() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerRazorpay(webhookURL: sink.url("razorpay"))
        func call(
            _ method: HTTPMethod, _ path: String, _ json: JSONValue? = nil,
            headers: HTTPHeaders = [:]
        ) async throws -> (HTTPClientResponse, JSONValue) {
            try await harness.razorpay(
                method, path, keyID: account.keyID, keySecret: account.keySecret, json: json, headers: headers)
        }

        let (created, order) = try await call(
            .POST, "/v1/orders",
            [
                "amount": 50_000, "currency": "INR", "receipt": "pay_01RAZOR", "payment_capture": 0,
                "notes": ["coffer_payment_id": "pay_01RAZOR", "tenant": "ten_1"],
            ])
        XCTAssertEqual(created.status, .ok, created.bodyText)
        let orderID = try XCTUnwrap(order["id"]?.stringValue)
        XCTAssertTrue(orderID.hasPrefix("order_"))
        XCTAssertEqual(order["entity"], "order")
        XCTAssertEqual(order["status"], "created")
        XCTAssertEqual(order["amount"]?.int64Value, 50_000)
        XCTAssertEqual(order["amount_paid"]?.int64Value, 0)
        XCTAssertEqual(order["amount_due"]?.int64Value, 50_000)
        XCTAssertEqual(order["currency"], "INR")
        XCTAssertEqual(order["receipt"], "pay_01RAZOR")
        XCTAssertEqual(order.value(at: "notes.tenant"), "ten_1")
        XCTAssertNotNil(order["created_at"]?.int64Value)

        // The simulated customer pays in Checkout after the auto-complete delay; manual capture leaves it authorized.
        let authorized = try await sink.wait(for: 1, name: "razorpay", type: "payment.authorized")
        let payment = try XCTUnwrap(authorized.first?.json.value(at: "payload.payment.entity"))
        let paymentID = try XCTUnwrap(payment["id"]?.stringValue)
        XCTAssertTrue(paymentID.hasPrefix("pay_"))
        XCTAssertEqual(payment["entity"], "payment")
        XCTAssertEqual(payment["status"], "authorized")
        XCTAssertEqual(payment["order_id"]?.stringValue, orderID)
        XCTAssertEqual(payment["amount"]?.int64Value, 50_000)
        XCTAssertEqual(payment["captured"], false)
        XCTAssertEqual(payment["currency"], "INR")
        let (_, attempted) = try await call(.GET, "/v1/orders/\(orderID)")
        XCTAssertEqual(attempted["status"], "attempted")
        XCTAssertEqual(attempted["attempts"]?.int64Value, 1)

        // Capture must name the authorized amount and currency.
        let (partial, partialBody) = try await call(
            .POST, "/v1/payments/\(paymentID)/capture", ["amount": 40_000, "currency": "INR"])
        XCTAssertEqual(partial.status, .badRequest)
        XCTAssertEqual(partialBody.value(at: "error.code"), "BAD_REQUEST_ERROR")
        XCTAssertEqual(partialBody.value(at: "error.field"), "amount")
        XCTAssertNotNil(partialBody.value(at: "error.description")?.stringValue)
        XCTAssertNotNil(partialBody.value(at: "error.source"))
        XCTAssertNotNil(partialBody.value(at: "error.step"))
        XCTAssertNotNil(partialBody.value(at: "error.reason"))
        let (captured, capturedBody) = try await call(
            .POST, "/v1/payments/\(paymentID)/capture", ["amount": 50_000, "currency": "INR"])
        XCTAssertEqual(captured.status, .ok, captured.bodyText)
        XCTAssertEqual(capturedBody["status"], "captured")
        XCTAssertEqual(capturedBody["captured"], true)
        XCTAssertEqual(capturedBody["fee"]?.int64Value, 1180, "2% plus 18% GST, in paise")
        let (twice, twiceBody) = try await call(
            .POST, "/v1/payments/\(paymentID)/capture", ["amount": 50_000, "currency": "INR"])
        XCTAssertEqual(twice.status, .badRequest)
        XCTAssertEqual(twiceBody.value(at: "error.description"), "This payment has already been captured")
        let paid = try await sink.wait(for: 1, name: "razorpay", type: "order.paid")
        XCTAssertEqual(paid.first?.json["contains"], ["payment", "order"])
        XCTAssertEqual(paid.first?.json.value(at: "payload.order.entity.status"), "paid")
        XCTAssertEqual(paid.first?.json.value(at: "payload.order.entity.amount_paid")?.int64Value, 50_000)
        try await sink.wait(for: 1, name: "razorpay", type: "payment.captured")

        let (_, payments) = try await call(.GET, "/v1/orders/\(orderID)/payments")
        XCTAssertEqual(payments["entity"], "collection")
        XCTAssertEqual(payments["count"]?.int64Value, 1)
        XCTAssertEqual(payments.value(at: "items.0.id")?.stringValue, paymentID)

        // Refunds, never beyond what was captured.
        let refundBody: JSONValue = [
            "amount": 20_000, "notes": ["coffer_refund_id": "re_01RAZOR"], "receipt": "re_01RAZOR",
        ]
        let (refunded, refund) = try await call(
            .POST, "/v1/payments/\(paymentID)/refund", refundBody,
            headers: ["X-Refund-Idempotency": "refund-razor-0001"])
        XCTAssertEqual(refunded.status, .ok, refunded.bodyText)
        // Razorpay's refund idempotency: the same key and body replay, another body is refused.
        let (replayed, replayedRefund) = try await call(
            .POST, "/v1/payments/\(paymentID)/refund", refundBody,
            headers: ["X-Refund-Idempotency": "refund-razor-0001"])
        XCTAssertEqual(replayed.status, .ok)
        XCTAssertEqual(replayedRefund["id"], refund["id"])
        let (reused, reusedBody) = try await call(
            .POST, "/v1/payments/\(paymentID)/refund", ["amount": 100],
            headers: ["X-Refund-Idempotency": "refund-razor-0001"])
        XCTAssertEqual(reused.status, .badRequest)
        XCTAssertEqual(
            reusedBody.value(at: "error.description"),
            "Different request with the same idempotency key has already been processed.")
        let (shortKey, _) = try await call(
            .POST, "/v1/payments/\(paymentID)/refund", refundBody, headers: ["X-Refund-Idempotency": "short"])
        XCTAssertEqual(shortKey.status, .badRequest)
        let refundID = try XCTUnwrap(refund["id"]?.stringValue)
        XCTAssertTrue(refundID.hasPrefix("rfnd_"))
        XCTAssertEqual(refund["entity"], "refund")
        XCTAssertEqual(refund["status"], "processed")
        XCTAssertEqual(refund["payment_id"]?.stringValue, paymentID)
        XCTAssertEqual(refund["amount"]?.int64Value, 20_000)
        let (over, overBody) = try await call(.POST, "/v1/payments/\(paymentID)/refund", ["amount": 30_100])
        XCTAssertEqual(over.status, .badRequest)
        XCTAssertEqual(overBody.value(at: "error.code"), "BAD_REQUEST_ERROR")
        let (rest, restBody) = try await call(.POST, "/v1/payments/\(paymentID)/refund", [:])
        XCTAssertEqual(rest.status, .ok, rest.bodyText)
        XCTAssertEqual(restBody["amount"]?.int64Value, 30_000)
        let (_, fetched) = try await call(.GET, "/v1/refunds/\(refundID)")
        XCTAssertEqual(fetched.value(at: "notes.coffer_refund_id"), "re_01RAZOR")
        let (_, fullyRefunded) = try await call(.GET, "/v1/payments/\(paymentID)")
        XCTAssertEqual(fullyRefunded["amount_refunded"]?.int64Value, 50_000)
        XCTAssertEqual(fullyRefunded["refund_status"], "full")
        XCTAssertEqual(fullyRefunded["status"], "refunded")
        let (_, refunds) = try await call(.GET, "/v1/payments/\(paymentID)/refunds")
        XCTAssertEqual(refunds["count"]?.int64Value, 2)
        let (_, nested) = try await call(.GET, "/v1/payments/\(paymentID)/refunds/\(refundID)")
        XCTAssertEqual(nested["id"]?.stringValue, refundID)

        let processed = try await sink.wait(for: 2, name: "razorpay", type: "refund.processed")
        XCTAssertEqual(processed.first?.json.value(at: "payload.refund.entity.payment_id")?.stringValue, paymentID)
        XCTAssertEqual(processed.first?.json.value(at: "payload.refund.entity.notes.coffer_refund_id"), "re_01RAZOR")
        try await sink.wait(for: 2, name: "razorpay", type: "refund.created")

        // Every webhook: signed with the webhook secret, its id in the header only, unique per event.
        let all = sink.all("razorpay")
        XCTAssertEqual(all.count, 7)
        for webhook in all {
            XCTAssertTrue(WebhookVerification.razorpay(webhook, secret: account.webhookSecret), webhook.eventType ?? "")
            XCTAssertFalse(
                WebhookVerification.razorpay(webhook, secret: account.keySecret), "not signed with the API secret")
            XCTAssertEqual(webhook.json["entity"], "event")
            XCTAssertNil(webhook.json["id"], "Razorpay bodies carry no event id")
            XCTAssertNotNil(webhook.json["created_at"]?.int64Value)
        }
        XCTAssertEqual(Set(all.compactMap { $0.headers["x-razorpay-event-id"] }).count, all.count)

        let kinds = try await harness.operations("?provider=razorpay").compactMap { $0["kind"]?.stringValue }
        XCTAssertEqual(kinds, ["create_payment", "customer_action", "capture", "refund", "refund"])
        await sink.stop()
        await harness.stop()
    }

    func testCheckoutPageRedirectsWithRazorpaysSignatureAndAutoCaptureMarksTheOrderPaid() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerRazorpay(webhookURL: sink.url("razorpay"))
        try await harness.behaviour("razorpay", account: account.keyID, ["auto_complete": false])
        let (_, order) = try await harness.razorpay(
            .POST, "/v1/orders", keyID: account.keyID, keySecret: account.keySecret,
            json: ["amount": 12_345, "currency": "INR", "receipt": "pay_01PAGE"])
        let orderID = try XCTUnwrap(order["id"]?.stringValue)
        try await Task.sleep(for: .milliseconds(400))
        XCTAssertTrue(sink.all().isEmpty, "nobody paid yet")

        let page = try await harness.send(
            .GET,
            "/razorpay/checkout/\(orderID)?callback_url=" + CustomerPageEncoding.escape("https://shop.example/paid"))
        XCTAssertEqual(page.status.code, 302)
        let location = try XCTUnwrap(page.headers["Location"].flatMap { URLComponents(string: $0) })
        let items = Dictionary(uniqueKeysWithValues: (location.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let paymentID = try XCTUnwrap(items["razorpay_payment_id"])
        XCTAssertEqual(items["razorpay_order_id"], orderID)
        let expected = Hex.encode(HMAC.sha256(key: account.keySecret, message: orderID + "|" + paymentID))
        XCTAssertEqual(items["razorpay_signature"], expected, "Checkout's payment signature")

        let events = try await sink.wait(for: 3, name: "razorpay")
        XCTAssertEqual(events.map(\.eventType), ["payment.authorized", "payment.captured", "order.paid"])
        let (_, paid) = try await harness.razorpay(
            .GET, "/v1/orders/\(orderID)", keyID: account.keyID, keySecret: account.keySecret)
        XCTAssertEqual(paid["status"], "paid")
        XCTAssertEqual(paid["amount_due"]?.int64Value, 0)
        // Opening the page again pays nothing twice.
        let again = try await harness.send(.GET, "/razorpay/checkout/\(orderID)")
        XCTAssertEqual(again.status, .ok)
        let (_, payments) = try await harness.razorpay(
            .GET, "/v1/orders/\(orderID)/payments", keyID: account.keyID,
            keySecret: account.keySecret)
        XCTAssertEqual(payments["count"]?.int64Value, 1)
        await sink.stop()
        await harness.stop()
    }

    func testDeclinedCheckoutSendsPaymentFailedAndTheCustomerCanPayAgain() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerRazorpay(webhookURL: sink.url("razorpay"))
        try await harness.behaviour("razorpay", account: account.keyID, ["decline_next": 1])
        let (_, order) = try await harness.razorpay(
            .POST, "/v1/orders", keyID: account.keyID, keySecret: account.keySecret,
            json: ["amount": 100, "currency": "INR", "notes": ["coffer_payment_id": "pay_01DECLINE"]])
        let orderID = try XCTUnwrap(order["id"]?.stringValue)
        let failed = try await sink.wait(for: 1, name: "razorpay", type: "payment.failed")
        XCTAssertEqual(failed.first?.json.value(at: "payload.payment.entity.status"), "failed")
        XCTAssertEqual(failed.first?.json.value(at: "payload.payment.entity.error_code"), "BAD_REQUEST_ERROR")
        XCTAssertEqual(failed.first?.json.value(at: "payload.payment.entity.error_reason"), "payment_declined")
        XCTAssertEqual(failed.first?.json.value(at: "payload.payment.entity.notes.coffer_payment_id"), "pay_01DECLINE")

        let completed = try await harness.control(.POST, "/_sandbox/complete/razorpay/\(orderID)")
        XCTAssertEqual(completed["completed"], true)
        XCTAssertEqual(completed.value(at: "object.status"), "paid")
        XCTAssertEqual(completed.value(at: "object.attempts")?.int64Value, 2)
        try await sink.wait(for: 1, name: "razorpay", type: "order.paid")
        await sink.stop()
        await harness.stop()
    }

    func testPaymentLinkIsPaidOnItsShortURLAndCanBeCancelledBeforehand() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerRazorpay(webhookURL: sink.url("razorpay"))
        try await harness.behaviour("razorpay", account: account.keyID, ["auto_complete": false])
        func call(_ method: HTTPMethod, _ path: String, _ json: JSONValue? = nil) async throws -> (
            HTTPClientResponse, JSONValue
        ) {
            try await harness.razorpay(method, path, keyID: account.keyID, keySecret: account.keySecret, json: json)
        }
        let (created, link) = try await call(
            .POST, "/v1/payment_links",
            [
                "amount": 25_000, "currency": "INR", "reference_id": "pay_01PLINK", "description": "Order 9",
                "callback_url": "https://shop.example/plink", "callback_method": "get",
                "notes": ["coffer_payment_id": "pay_01PLINK"], "customer": ["email": "buyer@example.com"],
            ])
        XCTAssertEqual(created.status, .ok, created.bodyText)
        let linkID = try XCTUnwrap(link["id"]?.stringValue)
        XCTAssertTrue(linkID.hasPrefix("plink_"))
        XCTAssertEqual(link["status"], "created")
        XCTAssertEqual(link["short_url"]?.stringValue, harness.baseURL + "/razorpay/i/" + linkID)

        let page = try await harness.send(.GET, "/razorpay/i/\(linkID)")
        XCTAssertEqual(page.status.code, 302)
        let location = try XCTUnwrap(page.headers["Location"].flatMap { URLComponents(string: $0) })
        let items = Dictionary(uniqueKeysWithValues: (location.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let paymentID = try XCTUnwrap(items["razorpay_payment_id"])
        XCTAssertEqual(items["razorpay_payment_link_status"], "paid")
        XCTAssertEqual(items["razorpay_payment_link_reference_id"], "pay_01PLINK")
        let message = [linkID, "pay_01PLINK", "paid", paymentID].joined(separator: "|")
        XCTAssertEqual(items["razorpay_signature"], Hex.encode(HMAC.sha256(key: account.keySecret, message: message)))

        let (_, paid) = try await call(.GET, "/v1/payment_links/\(linkID)")
        XCTAssertEqual(paid["status"], "paid")
        XCTAssertEqual(paid["amount_paid"]?.int64Value, 25_000)
        XCTAssertEqual(paid.value(at: "payments.0.payment_id")?.stringValue, paymentID)
        let event = try await sink.wait(for: 1, name: "razorpay", type: "payment_link.paid")
        XCTAssertEqual(event.first?.json["contains"], ["payment_link", "payment", "order"])
        XCTAssertEqual(event.first?.json.value(at: "payload.payment.entity.notes.coffer_payment_id"), "pay_01PLINK")
        XCTAssertTrue(event.allSatisfy { WebhookVerification.razorpay($0, secret: account.webhookSecret) })
        let (cancelPaid, _) = try await call(.POST, "/v1/payment_links/\(linkID)/cancel")
        XCTAssertEqual(cancelPaid.status, .badRequest)

        let (_, other) = try await call(.POST, "/v1/payment_links", ["amount": 1000, "currency": "INR"])
        let otherID = try XCTUnwrap(other["id"]?.stringValue)
        let (cancelled, cancelledBody) = try await call(.POST, "/v1/payment_links/\(otherID)/cancel")
        XCTAssertEqual(cancelled.status, .ok, cancelled.bodyText)
        XCTAssertEqual(cancelledBody["status"], "cancelled")
        let refused = try await harness.send(.GET, "/razorpay/i/\(otherID)")
        XCTAssertEqual(refused.status, .ok)
        XCTAssertTrue(refused.bodyText.contains("cancelled"))
        let kinds = try await harness.operations("?provider=razorpay").compactMap { $0["kind"]?.stringValue }
        XCTAssertEqual(kinds, ["create_payment", "customer_action", "capture", "create_payment", "cancel"])
        await sink.stop()
        await harness.stop()
    }

    func testAuthenticationFailuresAndUnknownIDsAnswerInRazorpaysShape() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerRazorpay(webhookURL: nil)
        let (missing, missingBody) = try await harness.send(.GET, "/razorpay/v1/orders/order_x").withJSON()
        XCTAssertEqual(missing.status, .unauthorized)
        XCTAssertEqual(missingBody.value(at: "error.code"), "BAD_REQUEST_ERROR")
        let (wrong, wrongBody) = try await harness.razorpay(
            .GET, "/v1/orders/order_x", keyID: account.keyID, keySecret: "wrong")
        XCTAssertEqual(wrong.status, .unauthorized)
        XCTAssertEqual(wrongBody.value(at: "error.description"), "The api key provided is invalid")
        let (unknown, unknownBody) = try await harness.razorpay(
            .GET, "/v1/payments/pay_nope", keyID: account.keyID,
            keySecret: account.keySecret)
        XCTAssertEqual(unknown.status, .badRequest, "Razorpay answers 400 for ids it does not know")
        XCTAssertEqual(unknownBody.value(at: "error.description"), "The id provided does not exist")
        let (small, smallBody) = try await harness.razorpay(
            .POST, "/v1/orders", keyID: account.keyID, keySecret: account.keySecret,
            json: ["amount": 99, "currency": "INR"])
        XCTAssertEqual(small.status, .badRequest)
        XCTAssertEqual(smallBody.value(at: "error.field"), "amount")
        // Form-encoded bodies work too, as Razorpay accepts both.
        let form = try await harness.send(
            .POST, "/razorpay/v1/orders",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.keyID):\(account.keySecret)".utf8)),
                "Content-Type": "application/x-www-form-urlencoded",
            ], body: Array("amount=1000&currency=INR&notes[coffer_payment_id]=pay_01FORM".utf8)
        ).withJSON()
        XCTAssertEqual(form.0.status, .ok, form.0.bodyText)
        XCTAssertEqual(form.1.value(at: "notes.coffer_payment_id"), "pay_01FORM")
        // Empty notes are `[]`, as Razorpay writes them.
        let (_, bare) = try await harness.razorpay(
            .POST, "/v1/orders", keyID: account.keyID, keySecret: account.keySecret,
            json: ["amount": 1000, "currency": "INR"])
        XCTAssertEqual(bare["notes"], [])
        await harness.stop()
    }
}
