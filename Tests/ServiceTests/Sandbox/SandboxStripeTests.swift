import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// The Stripe look-alike through the real process: the API as a connector calls it, the webhooks it
/// sends (verified as Stripe documents), idempotency, authentication, declines and 3-D Secure.
final class SandboxStripeTests: XCTestCase {
    func testManualCapturePaymentIsCapturedPartlyRefundedAndAnnouncedBySignedWebhooks() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: sink.url("stripe"))

        let (created, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [
                ("amount", "1000"), ("currency", "usd"), ("capture_method", "manual"), ("confirm", "true"),
                ("payment_method", "pm_card_visa"), ("description", "Order 42"),
                ("metadata[coffer_payment_id]", "pay_01HAPPY"),
                ("metadata[tenant]", "ten_1"),
            ], idempotencyKey: "create-happy")
        XCTAssertEqual(created.status, .ok, created.bodyText)
        let id = try XCTUnwrap(intent["id"]?.stringValue)
        XCTAssertTrue(id.hasPrefix("pi_"))
        XCTAssertEqual(intent["object"], "payment_intent")
        XCTAssertEqual(intent["status"], "requires_capture")
        XCTAssertEqual(intent["amount"]?.int64Value, 1000)
        XCTAssertEqual(intent["amount_capturable"]?.int64Value, 1000)
        XCTAssertEqual(intent["amount_received"]?.int64Value, 0)
        XCTAssertEqual(intent["currency"], "usd")
        XCTAssertEqual(intent["capture_method"], "manual")
        XCTAssertEqual(intent["livemode"], false)
        XCTAssertEqual(intent.value(at: "metadata.coffer_payment_id"), "pay_01HAPPY")
        XCTAssertEqual(intent["last_payment_error"], .null)
        XCTAssertTrue(intent["latest_charge"]?.stringValue?.hasPrefix("ch_") ?? false)
        XCTAssertNotNil(created.headers["Request-Id"])

        let authorized = try await sink.wait(for: 2, name: "stripe")
        XCTAssertEqual(authorized.map(\.eventType), ["charge.succeeded", "payment_intent.amount_capturable_updated"])
        for webhook in authorized {
            XCTAssertTrue(
                WebhookVerification.stripe(webhook, secret: account.webhookSecret), "signed with the account's whsec")
            XCTAssertFalse(WebhookVerification.stripe(webhook, secret: account.webhookSecret + "x"))
            XCTAssertEqual(webhook.json["object"], "event")
            XCTAssertEqual(webhook.json["livemode"], false)
            XCTAssertNotNil(webhook.json["created"]?.int64Value)
            XCTAssertEqual(webhook.json["api_version"], "2024-06-20")
            XCTAssertTrue(webhook.eventID?.hasPrefix("evt_") ?? false)
        }
        XCTAssertEqual(authorized[0].json.value(at: "data.object.captured"), false)
        XCTAssertEqual(authorized[1].json.value(at: "data.object.id")?.stringValue, id)
        XCTAssertEqual(authorized[1].json.value(at: "request.idempotency_key"), "create-happy")

        // Capture part; the rest is released.
        let (captured, afterCapture) = try await harness.stripe(
            .POST, "/v1/payment_intents/\(id)/capture", key: account.secretKey,
            form: [("amount_to_capture", "800")], idempotencyKey: "capture-happy")
        XCTAssertEqual(captured.status, .ok, captured.bodyText)
        XCTAssertEqual(afterCapture["status"], "succeeded")
        XCTAssertEqual(afterCapture["amount_received"]?.int64Value, 800)
        XCTAssertEqual(afterCapture["amount_capturable"]?.int64Value, 0)
        let (again, _) = try await harness.stripe(.POST, "/v1/payment_intents/\(id)/capture", key: account.secretKey)
        XCTAssertEqual(again.status, .badRequest, "a succeeded intent cannot be captured again")
        let succeeded = try await sink.wait(for: 1, name: "stripe", type: "payment_intent.succeeded")
        XCTAssertEqual(succeeded.first?.json.value(at: "data.object.amount_received")?.int64Value, 800)
        try await sink.wait(for: 1, name: "stripe", type: "charge.captured")

        // Refunds: never more than captured minus refunded.
        let (refunded, refund) = try await harness.stripe(
            .POST, "/v1/refunds", key: account.secretKey,
            form: [
                ("payment_intent", id), ("amount", "500"), ("reason", "requested_by_customer"),
                ("metadata[coffer_refund_id]", "re_01A"),
            ], idempotencyKey: "refund-1")
        XCTAssertEqual(refunded.status, .ok, refunded.bodyText)
        XCTAssertTrue(refund["id"]?.stringValue?.hasPrefix("re_") ?? false)
        XCTAssertEqual(refund["object"], "refund")
        XCTAssertEqual(refund["status"], "succeeded")
        XCTAssertEqual(refund["amount"]?.int64Value, 500)
        XCTAssertEqual(refund["currency"], "usd")
        XCTAssertEqual(refund["payment_intent"]?.stringValue, id)
        XCTAssertEqual(refund["charge"], intent["latest_charge"])
        let (tooMuch, tooMuchBody) = try await harness.stripe(
            .POST, "/v1/refunds", key: account.secretKey,
            form: [("payment_intent", id), ("amount", "301")], idempotencyKey: "refund-2")
        XCTAssertEqual(tooMuch.status, .badRequest)
        XCTAssertEqual(tooMuchBody.value(at: "error.type"), "invalid_request_error")
        XCTAssertEqual(tooMuchBody.value(at: "error.code"), "amount_too_large")
        let (rest, restBody) = try await harness.stripe(
            .POST, "/v1/refunds", key: account.secretKey,
            form: [("payment_intent", id)], idempotencyKey: "refund-3")
        XCTAssertEqual(rest.status, .ok, rest.bodyText)
        XCTAssertEqual(restBody["amount"]?.int64Value, 300, "defaults to what is left")
        let (none, noneBody) = try await harness.stripe(
            .POST, "/v1/refunds", key: account.secretKey, form: [("payment_intent", id)])
        XCTAssertEqual(none.status, .badRequest)
        XCTAssertEqual(noneBody.value(at: "error.code"), "charge_already_refunded")

        let refundID = try XCTUnwrap(refund["id"]?.stringValue)
        let (fetched, fetchedRefund) = try await harness.stripe(.GET, "/v1/refunds/\(refundID)", key: account.secretKey)
        XCTAssertEqual(fetched.status, .ok)
        XCTAssertEqual(fetchedRefund.value(at: "metadata.coffer_refund_id"), "re_01A")
        let (_, current) = try await harness.stripe(
            .GET, "/v1/payment_intents/\(id)", key: account.secretKey, form: [("expand[]", "latest_charge")])
        XCTAssertEqual(current["status"], "succeeded")
        XCTAssertEqual(current.value(at: "latest_charge.object"), "charge", "expand[]=latest_charge")
        XCTAssertEqual(current.value(at: "latest_charge.amount_refunded")?.int64Value, 800)
        let chargeID = try XCTUnwrap(intent["latest_charge"]?.stringValue)
        let (_, charge) = try await harness.stripe(.GET, "/v1/charges/\(chargeID)", key: account.secretKey)
        XCTAssertEqual(charge["amount_captured"]?.int64Value, 800)

        let refundEvents = try await sink.wait(for: 2, name: "stripe", type: "refund.created")
        XCTAssertEqual(
            Set(refundEvents.compactMap { $0.json.value(at: "data.object.amount")?.int64Value }), [500, 300])
        let chargeRefunded = try await sink.wait(for: 2, name: "stripe", type: "charge.refunded")
        XCTAssertEqual(chargeRefunded.last?.json.value(at: "data.object.amount_refunded")?.int64Value, 800)
        XCTAssertEqual(chargeRefunded.last?.json.value(at: "data.object.refunded"), true)

        // Updating a refund's metadata is announced with refund.updated.
        let (updated, _) = try await harness.stripe(
            .POST, "/v1/refunds/\(refundID)", key: account.secretKey,
            form: [("metadata[note]", "goodwill")])
        XCTAssertEqual(updated.status, .ok)
        let refundUpdated = try await sink.wait(for: 1, name: "stripe", type: "refund.updated")
        XCTAssertEqual(refundUpdated.first?.json.value(at: "data.object.metadata.note"), "goodwill")
        XCTAssertTrue(sink.all().allSatisfy { WebhookVerification.stripe($0, secret: account.webhookSecret) })

        let operations = try await harness.operations("?provider=stripe")
        XCTAssertEqual(
            operations.compactMap { $0["kind"]?.stringValue }, ["create_payment", "capture", "refund", "refund"])
        XCTAssertEqual(operations[0]["coffer_id"], "pay_01HAPPY")
        XCTAssertEqual(operations[0]["idempotency_key"], "create-happy")
        XCTAssertEqual(operations[0]["currency"], "USD")
        XCTAssertEqual(operations[1]["amount"]?.int64Value, 800)
        XCTAssertEqual(operations[2]["coffer_id"], "re_01A")
        await sink.stop()
        await harness.stop()
    }

    func testAutomaticCaptureSucceedsAtOnceAndCancelIsRefusedAfterwards() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: sink.url("stripe"))
        let (response, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [
                ("amount", "2500"), ("currency", "JPY"), ("confirm", "true"),
            ])
        XCTAssertEqual(response.status, .ok, response.bodyText)
        XCTAssertEqual(intent["status"], "succeeded")
        XCTAssertEqual(intent["currency"], "jpy", "currencies are written in lower case")
        XCTAssertEqual(intent["amount_received"]?.int64Value, 2500, "zero-decimal amounts are whole yen")
        XCTAssertEqual(intent["payment_method"], "pm_card_visa")
        let events = try await sink.wait(for: 2, name: "stripe")
        XCTAssertEqual(events.map(\.eventType), ["charge.succeeded", "payment_intent.succeeded"])
        XCTAssertEqual(events[0].json.value(at: "data.object.captured"), true)

        let id = try XCTUnwrap(intent["id"]?.stringValue)
        let (cancel, cancelBody) = try await harness.stripe(
            .POST, "/v1/payment_intents/\(id)/cancel", key: account.secretKey)
        XCTAssertEqual(cancel.status, .badRequest)
        XCTAssertEqual(cancelBody.value(at: "error.code"), "payment_intent_unexpected_state")

        // An unconfirmed intent can be cancelled, and that is announced.
        let (_, pending) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "700"), ("currency", "eur")])
        XCTAssertEqual(pending["status"], "requires_payment_method")
        let pendingID = try XCTUnwrap(pending["id"]?.stringValue)
        let (canceled, canceledBody) = try await harness.stripe(
            .POST, "/v1/payment_intents/\(pendingID)/cancel", key: account.secretKey,
            form: [("cancellation_reason", "abandoned")], idempotencyKey: "cancel-1")
        XCTAssertEqual(canceled.status, .ok, canceled.bodyText)
        XCTAssertEqual(canceledBody["status"], "canceled")
        XCTAssertEqual(canceledBody["cancellation_reason"], "abandoned")
        try await sink.wait(for: 1, name: "stripe", type: "payment_intent.canceled")
        let (capture, _) = try await harness.stripe(
            .POST, "/v1/payment_intents/\(pendingID)/capture", key: account.secretKey)
        XCTAssertEqual(capture.status, .badRequest)

        // Validation: Stripe's messages and params.
        let (missing, missingBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey, form: [("currency", "usd")])
        XCTAssertEqual(missing.status, .badRequest)
        XCTAssertEqual(missingBody.value(at: "error.code"), "parameter_missing")
        XCTAssertEqual(missingBody.value(at: "error.param"), "amount")
        let (badAmount, badAmountBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "10.50"), ("currency", "usd")])
        XCTAssertEqual(badAmount.status, .badRequest)
        XCTAssertEqual(badAmountBody.value(at: "error.code"), "parameter_invalid_integer")
        let (unknownPM, unknownPMBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "100"), ("currency", "usd"), ("payment_method", "pm_nope")])
        XCTAssertEqual(unknownPM.status, .badRequest)
        XCTAssertEqual(unknownPMBody.value(at: "error.code"), "resource_missing")
        await sink.stop()
        await harness.stop()
    }

    func testDeclinedCardsAnswer402AndSendPaymentFailed() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: sink.url("stripe"))
        let (declined, body) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [
                ("amount", "1000"), ("currency", "usd"), ("confirm", "true"),
                ("payment_method", "pm_card_chargeDeclinedInsufficientFunds"),
                ("metadata[coffer_payment_id]", "pay_01DECLINED"),
            ], idempotencyKey: "declined-1")
        XCTAssertEqual(declined.status.code, 402)
        XCTAssertEqual(body.value(at: "error.type"), "card_error")
        XCTAssertEqual(body.value(at: "error.code"), "card_declined")
        XCTAssertEqual(body.value(at: "error.decline_code"), "insufficient_funds")
        XCTAssertEqual(body.value(at: "error.payment_intent.status"), "requires_payment_method")
        XCTAssertEqual(body.value(at: "error.payment_intent.last_payment_error.decline_code"), "insufficient_funds")
        let failed = try await sink.wait(for: 1, name: "stripe", type: "payment_intent.payment_failed")
        XCTAssertEqual(failed.first?.json.value(at: "data.object.last_payment_error.code"), "card_declined")
        XCTAssertEqual(failed.first?.json.value(at: "data.object.metadata.coffer_payment_id"), "pay_01DECLINED")
        try await sink.wait(for: 1, name: "stripe", type: "charge.failed")

        // The decline executed, so Stripe keeps its answer for the key: a retry replays the 402.
        let (replayed, replayedBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [
                ("amount", "1000"), ("currency", "usd"), ("confirm", "true"),
                ("payment_method", "pm_card_chargeDeclinedInsufficientFunds"),
                ("metadata[coffer_payment_id]", "pay_01DECLINED"),
            ], idempotencyKey: "declined-1")
        XCTAssertEqual(replayed.status.code, 402)
        XCTAssertEqual(replayed.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(replayedBody.value(at: "error.payment_intent.id"), body.value(at: "error.payment_intent.id"))

        // The merchant confirms again with another card: that one succeeds.
        let id = try XCTUnwrap(body.value(at: "error.payment_intent.id")?.stringValue)
        let (confirmed, confirmedBody) = try await harness.stripe(
            .POST, "/v1/payment_intents/\(id)/confirm", key: account.secretKey,
            form: [("payment_method", "pm_card_mastercard")])
        XCTAssertEqual(confirmed.status, .ok, confirmed.bodyText)
        XCTAssertEqual(confirmedBody["status"], "succeeded")
        XCTAssertEqual(confirmedBody["last_payment_error"], .null)
        let kinds = try await harness.operations("?provider=stripe").compactMap { $0["kind"]?.stringValue }
        XCTAssertEqual(kinds, ["create_payment", "confirm"])

        // decline_next turns the next attempt with a good card into a generic decline, once.
        try await harness.behaviour("stripe", account: account.secretKey, ["decline_next": 1])
        let (forced, forcedBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "300"), ("currency", "usd"), ("confirm", "true")])
        XCTAssertEqual(forced.status.code, 402)
        XCTAssertEqual(forcedBody.value(at: "error.decline_code"), "generic_decline")
        let (fine, fineBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "300"), ("currency", "usd"), ("confirm", "true")])
        XCTAssertEqual(fine.status, .ok)
        XCTAssertEqual(fineBody["status"], "succeeded")
        await sink.stop()
        await harness.stop()
    }

    func testThreeDSecureCompletesByItselfByItsLinkOrThroughTheControlAPI() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: sink.url("stripe"))
        func create(_ key: String) async throws -> JSONValue {
            let (response, intent) = try await harness.stripe(
                .POST, "/v1/payment_intents", key: account.secretKey,
                form: [
                    ("amount", "4200"), ("currency", "gbp"), ("confirm", "true"),
                    ("payment_method", "pm_card_authenticationRequired"),
                    ("return_url", "https://shop.example/return"), ("metadata[coffer_payment_id]", key),
                ])
            XCTAssertEqual(response.status, .ok, response.bodyText)
            return intent
        }

        // 1. The simulated customer authenticates after the auto-complete delay (200 ms here).
        let first = try await create("pay_3DS_AUTO")
        XCTAssertEqual(first["status"], "requires_action")
        XCTAssertEqual(first.value(at: "next_action.type"), "redirect_to_url")
        let firstID = try XCTUnwrap(first["id"]?.stringValue)
        XCTAssertEqual(
            first.value(at: "next_action.redirect_to_url.url")?.stringValue,
            harness.baseURL + "/stripe/authenticate/" + firstID)
        XCTAssertEqual(first.value(at: "next_action.redirect_to_url.return_url"), "https://shop.example/return")
        try await harness.eventually("auto-completed") {
            try await harness.stripe(.GET, "/v1/payment_intents/\(firstID)", key: account.secretKey).1["status"]
                == "succeeded"
        }
        let succeeded = try await sink.wait(for: 1, name: "stripe", type: "payment_intent.succeeded")
        XCTAssertEqual(succeeded.first?.json.value(at: "data.object.id")?.stringValue, firstID)

        // 2. With auto-completion off for this account, it waits until the customer opens the link.
        try await harness.behaviour("stripe", account: account.secretKey, ["auto_complete": false])
        let second = try await create("pay_3DS_LINK")
        let secondID = try XCTUnwrap(second["id"]?.stringValue)
        try await Task.sleep(for: .milliseconds(500))
        let waiting = try await harness.stripe(.GET, "/v1/payment_intents/\(secondID)", key: account.secretKey).1
        XCTAssertEqual(waiting["status"], "requires_action")
        let link = try XCTUnwrap(second.value(at: "next_action.redirect_to_url.url")?.stringValue)
        let page = try await harness.send(.GET, link)
        XCTAssertEqual(page.status.code, 302, "back to the merchant's return_url")
        let location = try XCTUnwrap(page.headers["Location"])
        XCTAssertTrue(location.hasPrefix("https://shop.example/return?payment_intent=\(secondID)&"), location)
        XCTAssertTrue(location.contains("redirect_status=succeeded"), location)
        let authenticated = try await harness.stripe(.GET, "/v1/payment_intents/\(secondID)", key: account.secretKey).1
        XCTAssertEqual(authenticated["status"], "succeeded")

        // 3. The control API completes — or fails — authentication on demand.
        let third = try await create("pay_3DS_CONTROL")
        let thirdID = try XCTUnwrap(third["id"]?.stringValue)
        let completed = try await harness.control(.POST, "/_sandbox/complete/stripe/\(thirdID)", ["outcome": "fail"])
        XCTAssertEqual(completed["completed"], true)
        XCTAssertEqual(completed.value(at: "object.status"), "requires_payment_method")
        XCTAssertEqual(completed.value(at: "object.last_payment_error.code"), "payment_intent_authentication_failure")
        let again = try await harness.control(.POST, "/_sandbox/complete/stripe/\(thirdID)")
        XCTAssertEqual(again["completed"], false, "nothing was waiting any more")
        try await harness.control(.POST, "/_sandbox/complete/stripe/pi_unknown", expect: 404)
        try await sink.wait(for: 1, name: "stripe", type: "payment_intent.payment_failed")
        XCTAssertEqual(sink.all().filter { $0.eventType == "payment_intent.requires_action" }.count, 3)
        await sink.stop()
        await harness.stop()
    }

    func testIdempotencyReplaysWithoutExecutingAgainAndRefusesOtherParameters() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerStripe(webhookURL: nil)
        let form = [
            ("amount", "1999"), ("currency", "usd"), ("confirm", "true"), ("metadata[coffer_payment_id]", "pay_01IDEM"),
        ]
        let (first, firstBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey, form: form,
            idempotencyKey: "idem-1")
        XCTAssertEqual(first.status, .ok)
        XCTAssertNil(first.headers["Idempotent-Replayed"])
        // Same key, same parameters in another order: the same answer, byte for byte, and no new execution.
        let (second, secondBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey, form: form.reversed(),
            idempotencyKey: "idem-1")
        XCTAssertEqual(second.status, .ok)
        XCTAssertEqual(second.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(second.body, first.body)
        XCTAssertEqual(secondBody["id"], firstBody["id"])
        // Same key, different parameters: refused.
        let (mismatch, mismatchBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "2000"), ("currency", "usd")], idempotencyKey: "idem-1")
        XCTAssertEqual(mismatch.status, .badRequest)
        XCTAssertEqual(mismatchBody.value(at: "error.type"), "idempotency_error")
        // Keys belong to one account: another account's same key executes.
        let other = try await harness.registerStripe(webhookURL: nil)
        let (elsewhere, elsewhereBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: other.secretKey, form: form,
            idempotencyKey: "idem-1")
        XCTAssertEqual(elsewhere.status, .ok)
        XCTAssertNotEqual(elsewhereBody["id"], firstBody["id"])
        // A validation failure is not remembered: the key can then be used for a valid request.
        let (invalid, _) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey, form: [("currency", "usd")],
            idempotencyKey: "idem-2")
        XCTAssertEqual(invalid.status, .badRequest)
        let (valid, _) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "5"), ("currency", "usd")], idempotencyKey: "idem-2")
        XCTAssertEqual(valid.status, .ok)

        let summary = try await harness.summary("?provider=stripe")
        XCTAssertEqual(summary.value(at: "by_kind.create_payment")?.int64Value, 3)
        XCTAssertEqual(summary.value(at: "by_idempotency_key.idem-1")?.int64Value, 2, "once per account")
        XCTAssertEqual(summary.value(at: "duplicates.idempotency_keys")?.arrayValue?.count, 0)
        await harness.stop()
    }

    func testAuthenticationFailuresAnswer401AndOtherAccountsObjectsAre404() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerStripe(webhookURL: nil)
        let (noKey, noKeyBody) = try await harness.send(
            .POST, "/stripe/v1/payment_intents", body: Array("amount=1&currency=usd".utf8)
        )
        .withJSON()
        XCTAssertEqual(noKey.status, .unauthorized)
        XCTAssertEqual(noKeyBody.value(at: "error.type"), "invalid_request_error")
        let (wrong, wrongBody) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: "sk_test_unknown0000",
            form: [("amount", "100"), ("currency", "usd")])
        XCTAssertEqual(wrong.status, .unauthorized)
        XCTAssertEqual(wrongBody.value(at: "error.code"), "api_key_invalid")
        XCTAssertFalse(wrong.bodyText.contains("sk_test_unknown0000"), "the key is masked in the message")
        // Basic auth with the key as user name is what Stripe's own libraries once used.
        let basic = try await harness.send(
            .GET, "/stripe/v1/payment_intents/pi_missing",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.secretKey):".utf8))
            ]
        ).withJSON()
        XCTAssertEqual(basic.0.status, .notFound)
        XCTAssertEqual(basic.1.value(at: "error.code"), "resource_missing")

        let (_, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "100"), ("currency", "usd")])
        let id = try XCTUnwrap(intent["id"]?.stringValue)
        let other = try await harness.registerStripe(webhookURL: nil)
        let (hidden, hiddenBody) = try await harness.stripe(.GET, "/v1/payment_intents/\(id)", key: other.secretKey)
        XCTAssertEqual(hidden.status, .notFound)
        XCTAssertEqual(hiddenBody.value(at: "error.message")?.stringValue, "No such payment_intent: '\(id)'")
        await harness.stop()
    }
}

extension HTTPClientResponse {
    /// The response with its body parsed (`.null` when it is not JSON).
    func withJSON() -> (HTTPClientResponse, JSONValue) {
        (self, (try? JSONValue.parse(body)) ?? .null)
    }
}
