import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// The PayPal look-alike through the real process: OAuth tokens, orders the payer approves,
/// captures, authorizations, voids and refunds, `PayPal-Request-Id`, and RSA-signed webhooks verified
/// with the certificate the sandbox publishes.
final class SandboxPayPalTests: XCTestCase {
    func testOrderIsApprovedCapturedAndRefundedWithRSASignedWebhooks() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerPayPal(webhookURL: sink.url("paypal"))
        let token = try await harness.paypalToken(account)
        let order: JSONValue = [
            "intent": "CAPTURE",
            "purchase_units": [
                [
                    "reference_id": "pay_01PAYPAL", "custom_id": "pay_01PAYPAL", "description": "Order 7",
                    "amount": ["currency_code": "USD", "value": "10.50"],
                ]
            ],
        ]
        let (created, minimal) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token, json: order, requestID: "create-pp-1")
        XCTAssertEqual(created.status, .created, created.bodyText)
        let orderID = try XCTUnwrap(minimal["id"]?.stringValue)
        XCTAssertEqual(orderID.count, 17)
        XCTAssertEqual(minimal["status"], "CREATED")
        let links = minimal["links"]?.arrayValue ?? []
        let approve = try XCTUnwrap(links.first { $0["rel"] == "approve" }?["href"]?.stringValue)
        XCTAssertEqual(approve, harness.baseURL + "/paypal/checkoutnow?token=" + orderID)
        XCTAssertNotNil(links.first { $0["rel"] == "self" })
        XCTAssertNil(minimal["purchase_units"], "return=minimal by default")

        // The same PayPal-Request-Id replays the order; a different body with it is refused.
        let (replayed, replayedBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token, json: order,
            requestID: "create-pp-1")
        XCTAssertEqual(replayed.status, .created)
        XCTAssertEqual(replayedBody["id"]?.stringValue, orderID)
        var other = order
        if case .object(var members) = other {
            members["intent"] = "AUTHORIZE"
            other = .object(members)
        }
        let (reused, reusedBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token, json: other, requestID: "create-pp-1")
        XCTAssertEqual(reused.status, .unprocessableContent)
        XCTAssertEqual(reusedBody["name"], "UNPROCESSABLE_ENTITY")
        XCTAssertEqual(reusedBody.value(at: "details.0.issue"), "PAYPAL_REQUEST_ID_PREVIOUSLY_USED")
        XCTAssertNotNil(reusedBody["debug_id"]?.stringValue)

        // The payer approves after the auto-complete delay.
        let approved = try await sink.wait(for: 1, name: "paypal", type: "CHECKOUT.ORDER.APPROVED")
        XCTAssertEqual(approved.first?.json.value(at: "resource.id")?.stringValue, orderID)
        XCTAssertEqual(approved.first?.json.value(at: "resource.status"), "APPROVED")
        XCTAssertEqual(approved.first?.json.value(at: "resource.purchase_units.0.amount.value"), "10.50")
        XCTAssertEqual(approved.first?.json.value(at: "resource.purchase_units.0.custom_id"), "pay_01PAYPAL")

        let (captured, capturedOrder) = try await harness.paypal(
            .POST, "/v2/checkout/orders/\(orderID)/capture", token: token,
            requestID: "capture-pp-1")
        XCTAssertEqual(captured.status, .created, captured.bodyText)
        XCTAssertEqual(capturedOrder["status"], "COMPLETED")
        let capture = try XCTUnwrap(capturedOrder.value(at: "purchase_units.0.payments.captures.0"))
        XCTAssertEqual(capture["status"], "COMPLETED")
        XCTAssertEqual(capture["amount"], ["currency_code": "USD", "value": "10.50"])
        XCTAssertEqual(capture["custom_id"], "pay_01PAYPAL")
        XCTAssertEqual(capturedOrder.value(at: "purchase_units.0.reference_id"), "pay_01PAYPAL")
        let captureID = try XCTUnwrap(capture["id"]?.stringValue)
        let (again, againBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders/\(orderID)/capture", token: token,
            requestID: "capture-pp-2")
        XCTAssertEqual(again.status, .unprocessableContent)
        XCTAssertEqual(againBody.value(at: "details.0.issue"), "ORDER_ALREADY_CAPTURED")
        let completed = try await sink.wait(for: 1, name: "paypal", type: "PAYMENT.CAPTURE.COMPLETED")
        XCTAssertEqual(completed.first?.json.value(at: "resource.id")?.stringValue, captureID)
        XCTAssertEqual(
            completed.first?.json.value(at: "resource.supplementary_data.related_ids.order_id")?.stringValue, orderID)
        XCTAssertEqual(completed.first?.json["resource_type"], "capture")

        // Refunds in major-unit strings, converted exactly; never more than what is left.
        let (refunded, refund) = try await harness.paypal(
            .POST, "/v2/payments/captures/\(captureID)/refund", token: token,
            json: [
                "amount": ["currency_code": "USD", "value": "4.00"], "custom_id": "re_01PAYPAL",
                "note_to_payer": "Sorry",
            ], requestID: "refund-pp-1")
        XCTAssertEqual(refunded.status, .created, refunded.bodyText)
        XCTAssertEqual(refund["status"], "COMPLETED")
        XCTAssertEqual(refund.value(at: "amount.value"), "4.00")
        XCTAssertEqual(refund["custom_id"], "re_01PAYPAL")
        let (over, overBody) = try await harness.paypal(
            .POST, "/v2/payments/captures/\(captureID)/refund", token: token,
            json: [
                "amount": ["currency_code": "USD", "value": "6.51"]
            ], requestID: "refund-pp-2")
        XCTAssertEqual(over.status, .unprocessableContent)
        XCTAssertEqual(overBody.value(at: "details.0.issue"), "REFUND_AMOUNT_EXCEEDED")
        let (precise, preciseBody) = try await harness.paypal(
            .POST, "/v2/payments/captures/\(captureID)/refund", token: token,
            json: [
                "amount": ["currency_code": "USD", "value": "1.005"]
            ])
        XCTAssertEqual(precise.status, .unprocessableContent)
        XCTAssertEqual(preciseBody.value(at: "details.0.issue"), "DECIMAL_PRECISION")
        let (rest, restBody) = try await harness.paypal(
            .POST, "/v2/payments/captures/\(captureID)/refund", token: token, json: [:],
            requestID: "refund-pp-3")
        XCTAssertEqual(rest.status, .created, rest.bodyText)
        XCTAssertEqual(restBody.value(at: "amount.value"), "6.50")
        let refundID = try XCTUnwrap(refund["id"]?.stringValue)
        let (_, fetchedRefund) = try await harness.paypal(.GET, "/v2/payments/refunds/\(refundID)", token: token)
        XCTAssertEqual(fetchedRefund["note_to_payer"], "Sorry")
        let (_, fetchedCapture) = try await harness.paypal(.GET, "/v2/payments/captures/\(captureID)", token: token)
        XCTAssertEqual(fetchedCapture["status"], "REFUNDED")
        let refundEvents = try await sink.wait(for: 2, name: "paypal", type: "PAYMENT.CAPTURE.REFUNDED")
        XCTAssertEqual(refundEvents.first?.json.value(at: "resource.amount.value"), "4.00")
        let up = refundEvents.first?.json.value(at: "resource.links")?.arrayValue?.first { $0["rel"] == "up" }?["href"]?
            .stringValue
        XCTAssertEqual(up, harness.baseURL + "/paypal/v2/payments/captures/" + captureID)

        // Every webhook verifies with the published leaf certificate, fetched as connectors pin it.
        let pem = try await harness.send(.GET, "/_sandbox/paypal/certificate").bodyText
        let certificate = try X509Certificate(pem: pem)
        XCTAssertEqual(certificate.subjectCommonName, "messageverificationcerts.paypal.com")
        let all = sink.all("paypal")
        XCTAssertEqual(all.count, 4)
        for webhook in all {
            XCTAssertTrue(
                WebhookVerification.paypal(webhook, webhookID: account.webhookID, certificate: certificate),
                webhook.eventType ?? "")
            XCTAssertFalse(WebhookVerification.paypal(webhook, webhookID: "WH-other", certificate: certificate))
            XCTAssertTrue(webhook.eventID?.hasPrefix("WH-") ?? false)
            XCTAssertNotNil(webhook.json["create_time"]?.stringValue.flatMap(Timestamp.parse))
        }
        // PAYPAL-CERT-URL serves the same leaf, with the CA that issued it.
        let certURL = try XCTUnwrap(all.first?.headers["PAYPAL-CERT-URL"])
        XCTAssertTrue(certURL.hasPrefix(harness.baseURL + "/paypal/certs/CERT-"), certURL)
        let chain = try X509Certificate.certificates(fromPEMChain: try await harness.send(.GET, certURL).bodyText)
        XCTAssertEqual(chain.first?.sha256Fingerprint, certificate.sha256Fingerprint)
        XCTAssertNoThrow(
            try chain[0].verifyChain(intermediates: [], trustedRoots: Array(chain.dropFirst()), at: Date()))

        let operations = try await harness.operations("?provider=paypal")
        XCTAssertEqual(
            operations.compactMap { $0["kind"]?.stringValue },
            ["create_payment", "customer_action", "capture", "refund", "refund"])
        XCTAssertEqual(operations[0]["amount"]?.int64Value, 1050)
        XCTAssertEqual(operations[0]["idempotency_key"], "create-pp-1")
        XCTAssertEqual(operations[3]["amount"]?.int64Value, 400)
        XCTAssertEqual(operations[3]["coffer_id"], "re_01PAYPAL")
        await sink.stop()
        await harness.stop()
    }

    func testAuthorizeFlowWaitsForThePayerThenCapturesPartlyAndVoids() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerPayPal(webhookURL: sink.url("paypal"))
        try await harness.behaviour("paypal", account: account.clientID, ["auto_complete": false])
        let token = try await harness.paypalToken(account)
        let (created, order) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token,
            json: [
                "intent": "AUTHORIZE",
                "purchase_units": [["custom_id": "pay_01AUTH", "amount": ["currency_code": "JPY", "value": "5000"]]],
                "payment_source": [
                    "paypal": [
                        "experience_context": [
                            "return_url": "https://shop.example/back", "cancel_url": "https://shop.example/cancel",
                        ]
                    ]
                ],
            ], headers: ["Prefer": "return=representation"])
        XCTAssertEqual(created.status, .created, created.bodyText)
        XCTAssertEqual(order["status"], "PAYER_ACTION_REQUIRED")
        XCTAssertEqual(order.value(at: "purchase_units.0.amount.value"), "5000", "JPY has no decimals")
        let orderID = try XCTUnwrap(order["id"]?.stringValue)
        let payerAction = try XCTUnwrap(
            order["links"]?.arrayValue?.first { $0["rel"] == "payer-action" }?["href"]?.stringValue)

        let (early, earlyBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders/\(orderID)/authorize", token: token)
        XCTAssertEqual(early.status, .unprocessableContent)
        XCTAssertEqual(earlyBody.value(at: "details.0.issue"), "ORDER_NOT_APPROVED")
        let (wrongIntent, wrongIntentBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders/\(orderID)/capture", token: token)
        XCTAssertEqual(wrongIntent.status, .unprocessableContent)
        XCTAssertEqual(wrongIntentBody.value(at: "details.0.issue"), "ACTION_DOES_NOT_MATCH_INTENT")

        // The payer opens the link and is sent back to the merchant.
        let page = try await harness.send(.GET, payerAction)
        XCTAssertEqual(page.status.code, 302)
        XCTAssertTrue(
            page.headers["Location"]?.hasPrefix("https://shop.example/back?token=\(orderID)&PayerID=") ?? false)
        let (authorized, authorizedOrder) = try await harness.paypal(
            .POST, "/v2/checkout/orders/\(orderID)/authorize", token: token,
            requestID: "authorize-1")
        XCTAssertEqual(authorized.status, .created, authorized.bodyText)
        let authorizationID = try XCTUnwrap(
            authorizedOrder.value(at: "purchase_units.0.payments.authorizations.0.id")?.stringValue)
        XCTAssertEqual(authorizedOrder.value(at: "purchase_units.0.payments.authorizations.0.status"), "CREATED")
        try await sink.wait(for: 1, name: "paypal", type: "PAYMENT.AUTHORIZATION.CREATED")

        let (part, partBody) = try await harness.paypal(
            .POST, "/v2/payments/authorizations/\(authorizationID)/capture", token: token,
            json: ["amount": ["currency_code": "JPY", "value": "3000"]], requestID: "auth-capture-1")
        XCTAssertEqual(part.status, .created, part.bodyText)
        XCTAssertEqual(partBody["status"], "COMPLETED")
        XCTAssertEqual(partBody["custom_id"], "pay_01AUTH")
        let (tooMuch, tooMuchBody) = try await harness.paypal(
            .POST, "/v2/payments/authorizations/\(authorizationID)/capture", token: token,
            json: ["amount": ["currency_code": "JPY", "value": "2001"]])
        XCTAssertEqual(tooMuch.status, .unprocessableContent)
        XCTAssertEqual(tooMuchBody.value(at: "details.0.issue"), "MAX_CAPTURE_AMOUNT_EXCEEDED")
        let (_, authorization) = try await harness.paypal(
            .GET, "/v2/payments/authorizations/\(authorizationID)", token: token)
        XCTAssertEqual(authorization["status"], "PARTIALLY_CAPTURED")

        let (voided, voidedBody) = try await harness.paypal(
            .POST, "/v2/payments/authorizations/\(authorizationID)/void", token: token,
            requestID: "void-1")
        XCTAssertEqual(voided.status, .noContent, voidedBody.jsonString)
        let (twice, twiceBody) = try await harness.paypal(
            .POST, "/v2/payments/authorizations/\(authorizationID)/void", token: token)
        XCTAssertEqual(twice.status, .unprocessableContent)
        XCTAssertEqual(twiceBody.value(at: "details.0.issue"), "PREVIOUSLY_VOIDED")
        try await sink.wait(for: 1, name: "paypal", type: "PAYMENT.AUTHORIZATION.VOIDED")
        try await sink.wait(for: 1, name: "paypal", type: "PAYMENT.CAPTURE.COMPLETED")

        let operations = try await harness.operations("?provider=paypal")
        XCTAssertEqual(
            operations.compactMap { $0["kind"]?.stringValue },
            ["create_payment", "customer_action", "authorize", "capture", "cancel"])
        XCTAssertEqual(operations[0]["amount"]?.int64Value, 5000)
        XCTAssertEqual(operations[4]["amount"]?.int64Value, 2000, "what the void released")

        // A payer who cancels is sent to the cancel URL, and the order is never approved later.
        let (_, second) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token,
            json: [
                "intent": "CAPTURE", "purchase_units": [["amount": ["currency_code": "EUR", "value": "1"]]],
                "application_context": ["cancel_url": "https://shop.example/cancel"],
            ])
        let secondID = try XCTUnwrap(second["id"]?.stringValue)
        let cancel = try await harness.send(.GET, "/paypal/checkoutnow?token=\(secondID)&result=cancel")
        XCTAssertEqual(cancel.headers["Location"], "https://shop.example/cancel?token=\(secondID)")
        let (_, stillCreated) = try await harness.paypal(.GET, "/v2/checkout/orders/\(secondID)", token: token)
        XCTAssertEqual(stillCreated["status"], "CREATED")
        XCTAssertEqual(stillCreated.value(at: "purchase_units.0.amount.value"), "1.00")
        await sink.stop()
        await harness.stop()
    }

    func testTokensAndCredentialsAreCheckedAsPayPalDoes() async throws {
        let harness = try await SandboxHarness.start(extraEnvironment: ["SANDBOX_PAYPAL_TOKEN_TTL": "1s"])
        let account = try await harness.registerPayPal(webhookURL: nil)
        let wrongSecret = try await harness.send(
            .POST, "/paypal/v1/oauth2/token",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.clientID):nope".utf8)),
                "Content-Type": "application/x-www-form-urlencoded",
            ], body: Array("grant_type=client_credentials".utf8)
        ).withJSON()
        XCTAssertEqual(wrongSecret.0.status, .unauthorized)
        XCTAssertEqual(wrongSecret.1["error"], "invalid_client")
        let noGrant = try await harness.send(
            .POST, "/paypal/v1/oauth2/token",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.clientID):\(account.clientSecret)".utf8))
            ]
        ).withJSON()
        XCTAssertEqual(noGrant.0.status, .badRequest)
        XCTAssertEqual(noGrant.1["error"], "unsupported_grant_type")

        let tokenResponse = try await harness.send(
            .POST, "/paypal/v1/oauth2/token",
            headers: [
                "Authorization": "Basic " + Base64.encode(Array("\(account.clientID):\(account.clientSecret)".utf8)),
                "Content-Type": "application/x-www-form-urlencoded",
            ], body: Array("grant_type=client_credentials".utf8)
        ).withJSON()
        XCTAssertEqual(tokenResponse.1["token_type"], "Bearer")
        XCTAssertEqual(tokenResponse.1["expires_in"]?.int64Value, 1)
        let token = try XCTUnwrap(tokenResponse.1["access_token"]?.stringValue)

        let (missing, missingBody) = try await harness.send(.GET, "/paypal/v2/checkout/orders/X").withJSON()
        XCTAssertEqual(missing.status, .unauthorized)
        XCTAssertEqual(missingBody["name"], "AUTHENTICATION_FAILURE")
        let (unknown, unknownBody) = try await harness.paypal(.GET, "/v2/checkout/orders/X", token: "A21AAnot-a-token")
        XCTAssertEqual(unknown.status, .unauthorized)
        XCTAssertEqual(unknownBody["error"], "invalid_token")
        let (notFound, notFoundBody) = try await harness.paypal(.GET, "/v2/checkout/orders/NOPE", token: token)
        XCTAssertEqual(notFound.status, .notFound)
        XCTAssertEqual(notFoundBody["name"], "RESOURCE_NOT_FOUND")
        XCTAssertEqual(notFoundBody.value(at: "details.0.issue"), "INVALID_RESOURCE_ID")
        let (invalid, invalidBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token,
            json: [
                "intent": "CAPTURE", "purchase_units": [["amount": ["currency_code": "USD", "value": "ten"]]],
            ])
        XCTAssertEqual(invalid.status, .badRequest)
        XCTAssertEqual(invalidBody["name"], "INVALID_REQUEST")
        try await Task.sleep(for: .milliseconds(1100))
        let (expired, expiredBody) = try await harness.paypal(.GET, "/v2/checkout/orders/NOPE", token: token)
        XCTAssertEqual(expired.status, .unauthorized)
        XCTAssertEqual(expiredBody["error"], "invalid_token")
        await harness.stop()
    }

    func testDeclinedCaptureAnswersInstrumentDeclinedAndCanBeRetried() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerPayPal(webhookURL: sink.url("paypal"))
        let token = try await harness.paypalToken(account)
        let (_, order) = try await harness.paypal(
            .POST, "/v2/checkout/orders", token: token,
            json: [
                "intent": "CAPTURE",
                "purchase_units": [
                    ["custom_id": "pay_01PPDECLINE", "amount": ["currency_code": "USD", "value": "3.00"]]
                ],
            ])
        let orderID = try XCTUnwrap(order["id"]?.stringValue)
        try await sink.wait(for: 1, name: "paypal", type: "CHECKOUT.ORDER.APPROVED")
        try await harness.behaviour("paypal", account: account.clientID, ["decline_next": 1])
        let (declined, declinedBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders/\(orderID)/capture", token: token,
            requestID: "capture-decline")
        XCTAssertEqual(declined.status, .unprocessableContent)
        XCTAssertEqual(declinedBody.value(at: "details.0.issue"), "INSTRUMENT_DECLINED")
        let denied = try await sink.wait(for: 1, name: "paypal", type: "PAYMENT.CAPTURE.DECLINED")
        XCTAssertEqual(denied.first?.json.value(at: "resource.custom_id"), "pay_01PPDECLINE")
        // A failed answer is not kept for the request id: the retry captures.
        let (retried, retriedBody) = try await harness.paypal(
            .POST, "/v2/checkout/orders/\(orderID)/capture", token: token,
            requestID: "capture-decline")
        XCTAssertEqual(retried.status, .created, retried.bodyText)
        XCTAssertEqual(retriedBody["status"], "COMPLETED")
        let summary = try await harness.summary("?provider=paypal")
        XCTAssertEqual(summary.value(at: "by_kind.capture")?.int64Value, 1)
        XCTAssertEqual(summary["clean"], true)
        await sink.stop()
        await harness.stop()
    }
}
