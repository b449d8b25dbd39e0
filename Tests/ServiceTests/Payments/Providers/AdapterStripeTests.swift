import Foundation
import HTTP
import ProviderKit
import Shared
import TestSupport
import XCTest

@testable import Payments

/// The Stripe adapter against a fake Stripe over real HTTP: what it sends, field by field, and how every
/// answer maps.
final class AdapterStripeTests: XCTestCase {
    let secret = "sk_test_51SecretValue"
    let adapter = StripeAdapter(httpClient: AdapterFixtures.client)

    func connector(_ base: String, livemode: Bool = false, timeout: Duration = .seconds(5)) -> ProviderConnector {
        AdapterFixtures.connector(
            .stripe, base: base, livemode: livemode, credentials: ["secret_key": secret],
            timeout: timeout)
    }

    static func intent(
        id: String = "pi_123", status: String, currency: String = "usd", capturable: Int64 = 0,
        received: Int64 = 0, extra: String = ""
    ) -> String {
        """
        {"id":"\(id)","object":"payment_intent","amount":1050,"currency":"\(currency)","status":"\(status)",
         "amount_capturable":\(capturable),"amount_received":\(received),"metadata":{"coffer_payment_id":"pay_coffer_1"}\(extra)}
        """
    }

    // MARK: Create

    func testCreateSendsTheFullFormWithHeadersAndMapsSucceededToCaptured() async throws {
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents", Self.intent(status: "succeeded", received: 1050))
        ])
        let state = try await adapter.createPayment(
            AdapterFixtures.paymentRequest(description: "Order #42 & co = 100% süß+"),
            connector: connector(server.baseURL))

        XCTAssertEqual(
            state,
            ProviderPaymentState(
                providerPaymentID: "pi_123", status: .captured, amountCapturable: 0,
                amountCaptured: 1050, currency: .usd, rawStatus: "succeeded"))
        let requests = server.requests
        XCTAssertEqual(requests.count, 1)
        let sent = try XCTUnwrap(requests.first)
        XCTAssertEqual(sent.method, "POST")
        XCTAssertEqual(sent.target, "/v1/payment_intents")
        XCTAssertEqual(sent.headers["Authorization"], "Bearer \(secret)")
        XCTAssertEqual(sent.headers["Content-Type"], "application/x-www-form-urlencoded")
        XCTAssertEqual(sent.headers["Idempotency-Key"], "idem-create-1")
        XCTAssertEqual(sent.headers["Stripe-Version"], "2024-06-20")
        XCTAssertEqual(
            sent.formKeys,
            [
                "amount", "currency", "capture_method", "confirm", "payment_method",
                "description", "receipt_email", "return_url", "metadata[coffer_payment_id]",
            ])
        XCTAssertEqual(sent.formValue("amount"), "1050")
        XCTAssertEqual(sent.formValue("currency"), "usd")
        XCTAssertEqual(sent.formValue("capture_method"), "automatic")
        XCTAssertEqual(sent.formValue("confirm"), "true")
        XCTAssertEqual(sent.formValue("payment_method"), "pm_card_visa")
        XCTAssertEqual(sent.formValue("description"), "Order #42 & co = 100% süß+")
        XCTAssertEqual(sent.formValue("receipt_email"), "buyer+1@example.com")
        XCTAssertEqual(sent.formValue("return_url"), "https://shop.example/return?order=42")
        XCTAssertEqual(sent.formValue("metadata[coffer_payment_id]"), "pay_coffer_1")
        // Reserved characters are escaped on the wire, so they cannot split or join fields.
        XCTAssertTrue(
            sent.bodyText.contains("description=Order%20%2342%20%26%20co%20%3D%20100%25%20s%C3%BC%C3%9F%2B"),
            sent.bodyText)
        XCTAssertTrue(sent.bodyText.contains("receipt_email=buyer%2B1%40example.com"), sent.bodyText)
        XCTAssertTrue(sent.bodyText.hasSuffix("&metadata[coffer_payment_id]=pay_coffer_1"), sent.bodyText)
        await server.stop()
    }

    func testManualCaptureIsAuthorizedWithTheCapturableAmount() async throws {
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents", Self.intent(status: "requires_capture", capturable: 1050))
        ])
        let state = try await adapter.createPayment(
            AdapterFixtures.paymentRequest(capture: .manual, paymentMethod: "pm_from_elements"),
            connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .authorized)
        XCTAssertEqual(state.amountCapturable, 1050)
        XCTAssertEqual(state.amountCaptured, 0)
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.formValue("capture_method"), "manual")
        XCTAssertEqual(sent.formValue("payment_method"), "pm_from_elements")
        await server.stop()
    }

    func testAmountsAreMinorUnitsInEveryExponent() async throws {
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents", Self.intent(status: "processing"))
        ])
        for (money, expected) in [
            (Money(minorUnits: 1000, currency: .jpy), ("1000", "jpy")),
            (Money(minorUnits: 1234, currency: .kwd), ("1234", "kwd")),
        ] {
            let state = try await adapter.createPayment(
                AdapterFixtures.paymentRequest(amount: money),
                connector: connector(server.baseURL))
            XCTAssertEqual(state.status, .processing)
            let sent = try XCTUnwrap(server.requests.last)
            XCTAssertEqual(sent.formValue("amount"), expected.0)
            XCTAssertEqual(sent.formValue("currency"), expected.1)
        }
        await server.stop()
    }

    func testWithoutAReturnURLOnlyNonRedirectMethodsAreAllowed() async throws {
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents", Self.intent(status: "succeeded", received: 1050))
        ])
        _ = try await adapter.createPayment(
            AdapterFixtures.paymentRequest(description: nil, email: nil, returnURL: nil),
            connector: connector(server.baseURL))
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertNil(sent.formValue("return_url"))
        XCTAssertNil(sent.formValue("description"))
        XCTAssertNil(sent.formValue("receipt_email"))
        XCTAssertEqual(sent.formValue("automatic_payment_methods[enabled]"), "true")
        XCTAssertEqual(sent.formValue("automatic_payment_methods[allow_redirects]"), "never")
        await server.stop()
    }

    func testLiveModeWithoutAPaymentMethodIsRefusedWithoutACall() async throws {
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents", Self.intent(status: "succeeded", received: 1050))
        ])
        let live = connector(server.baseURL, livemode: true)
        await assertProviderError(.invalidRequest, code: "payment_method_required") { () async throws(ProviderError) in
            try await adapter.createPayment(AdapterFixtures.paymentRequest(paymentMethod: nil), connector: live)
        }
        XCTAssertEqual(server.requests.count, 0)
        _ = try await adapter.createPayment(
            AdapterFixtures.paymentRequest(paymentMethod: "pm_live_card"), connector: live)
        XCTAssertEqual(server.requests.first?.formValue("payment_method"), "pm_live_card")
        await server.stop()
    }

    func testRequiresActionCarriesTheRedirectURL() async throws {
        let redirect =
            #","next_action":{"type":"redirect_to_url","redirect_to_url":{"url":"https://hooks.stripe.com/3ds/abc","return_url":"https://shop.example/return"}}"#
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents", Self.intent(status: "requires_action", extra: redirect))
        ])
        let state = try await adapter.createPayment(
            AdapterFixtures.paymentRequest(), connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .requiresAction(url: "https://hooks.stripe.com/3ds/abc"))
        XCTAssertEqual(state.rawStatus, "requires_action")
        await server.stop()
    }

    // MARK: Capture, cancel, fetch

    func testCaptureSendsAmountToCaptureWithTheKeyAndEscapesTheID() async throws {
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents/{id}/capture", Self.intent(status: "succeeded", received: 800))
        ])
        let state = try await adapter.capturePayment(
            "pi_123", amount: Money(minorUnits: 800, currency: .usd), idempotencyKey: "idem-cap-1",
            connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .captured)
        XCTAssertEqual(state.amountCaptured, 800)
        var sent = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(sent.target, "/v1/payment_intents/pi_123/capture")
        XCTAssertEqual(sent.headers["Idempotency-Key"], "idem-cap-1")
        XCTAssertEqual(sent.bodyText, "amount_to_capture=800")

        _ = try await adapter.capturePayment(
            "pi 1/2", amount: nil, idempotencyKey: "idem-cap-2",
            connector: connector(server.baseURL))
        sent = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(sent.target, "/v1/payment_intents/pi%201%2F2/capture")
        XCTAssertEqual(sent.bodyText, "")
        await server.stop()
    }

    func testCancelPostsToCancelAndMapsCanceled() async throws {
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents/{id}/cancel", Self.intent(status: "canceled"))
        ])
        let state = try await adapter.cancelPayment(
            "pi_123", idempotencyKey: "idem-cancel-1",
            connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .canceled)
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.method, "POST")
        XCTAssertEqual(sent.target, "/v1/payment_intents/pi_123/cancel")
        XCTAssertEqual(sent.headers["Idempotency-Key"], "idem-cancel-1")
        await server.stop()
    }

    func testFetchMapsEveryStatus() async throws {
        let failed =
            #","last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}"#
        let bodies: [String: String] = [
            "pi_processing": Self.intent(id: "pi_processing", status: "processing"),
            "pi_failed": Self.intent(id: "pi_failed", status: "requires_payment_method", extra: failed),
            "pi_waiting": Self.intent(id: "pi_waiting", status: "requires_payment_method"),
            "pi_canceled": Self.intent(id: "pi_canceled", status: "canceled"),
            "pi_auth": Self.intent(id: "pi_auth", status: "requires_capture", currency: "jpy", capturable: 1000),
            "pi_weird": Self.intent(id: "pi_weird", status: "teleported"),
        ]
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/v1/payment_intents/{id}") { _, context, _ in
                AdapterReply.json(.ok, bodies[context.parameter("id")] ?? "{}")
            }
        ])
        let stripe = connector(server.baseURL)
        await XCTAssertEqualAsync(
            try await adapter.fetchPayment("pi_processing", connector: stripe).status, .processing)
        await XCTAssertEqualAsync(
            try await adapter.fetchPayment("pi_failed", connector: stripe).status,
            .failed(code: "insufficient_funds", message: "Your card has insufficient funds."))
        await XCTAssertEqualAsync(
            try await adapter.fetchPayment("pi_waiting", connector: stripe).status,
            .requiresAction(url: ""))
        await XCTAssertEqualAsync(try await adapter.fetchPayment("pi_canceled", connector: stripe).status, .canceled)
        let authorized = try await adapter.fetchPayment("pi_auth", connector: stripe)
        XCTAssertEqual(authorized.status, .authorized)
        XCTAssertEqual(authorized.currency, .jpy)
        XCTAssertEqual(authorized.amountCapturable, 1000)
        await assertProviderError(.unavailable, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.fetchPayment("pi_weird", connector: stripe)
        }
        let gets = server.requests
        XCTAssertTrue(gets.allSatisfy { $0.method == "GET" && $0.headers["Idempotency-Key"] == nil })
        XCTAssertTrue(gets.allSatisfy { $0.headers["Authorization"] == "Bearer \(secret)" })
        await assertProviderError(.invalidRequest, code: "invalid_id") { () async throws(ProviderError) in
            try await adapter.fetchPayment("", connector: stripe)
        }
        await server.stop()
    }

    // MARK: Refunds

    func testRefundSendsAllowedReasonAndMetadataAndFetchesRefunds() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .POST, "/v1/refunds",
                #"{"id":"re_1","object":"refund","amount":500,"status":"pending","payment_intent":"pi_123"}"#),
            .json(.GET, "/v1/refunds/{id}", #"{"id":"re_1","object":"refund","amount":500,"status":"succeeded"}"#),
        ])
        let stripe = connector(server.baseURL)
        let pending = try await adapter.refund(
            AdapterFixtures.refundRequest(
                payment: "pi_123", amount: Money(minorUnits: 500, currency: .usd),
                reason: "requested_by_customer"), connector: stripe)
        XCTAssertEqual(
            pending, ProviderRefundState(providerRefundID: "re_1", status: .pending, amount: 500, rawStatus: "pending"))
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.target, "/v1/refunds")
        XCTAssertEqual(sent.headers["Idempotency-Key"], "idem-refund-1")
        XCTAssertEqual(
            sent.form.map { "\($0.key)=\($0.value)" },
            [
                "payment_intent=pi_123", "amount=500", "reason=requested_by_customer",
                "metadata[coffer_refund_id]=re_coffer_1",
            ])

        _ = try await adapter.refund(
            AdapterFixtures.refundRequest(
                payment: "pi_123", amount: Money(minorUnits: 500, currency: .usd),
                reason: "customer changed their mind"), connector: stripe)
        XCTAssertNil(server.requests.last?.formValue("reason"), "a reason Stripe does not know is not sent")

        let fetched = try await adapter.fetchRefund("re_1", connector: stripe)
        XCTAssertEqual(fetched.status, .succeeded)
        XCTAssertEqual(server.requests.last?.target, "/v1/refunds/re_1")
        await server.stop()
    }

    func testRefundStatusesMap() async throws {
        let statuses = [
            "failed": ProviderRefundState.Status.failed, "canceled": .failed, "requires_action": .pending,
            "succeeded": .succeeded,
        ]
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/v1/refunds/{id}") { _, context, _ in
                AdapterReply.json(
                    .ok, #"{"id":"\#(context.parameter("id"))","amount":1,"status":"\#(context.parameter("id"))"}"#)
            }
        ])
        for (raw, expected) in statuses {
            await XCTAssertEqualAsync(
                try await adapter.fetchRefund(raw, connector: connector(server.baseURL)).status,
                expected, raw)
        }
        await server.stop()
    }

    // MARK: Errors

    func testCardErrorsAreDeclinesWithTheIssuerReason() async throws {
        let server = try await AdapterProviderServer([
            .sequence(
                .POST, "/v1/payment_intents",
                [
                    AdapterReply.json(
                        402,
                        #"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}"#
                    ),
                    AdapterReply.json(
                        402,
                        #"{"error":{"type":"card_error","code":"expired_card","message":"Your card has expired."}}"#),
                ])
        ])
        let stripe = connector(server.baseURL)
        let first = await assertProviderError(.declined, code: "insufficient_funds") { () async throws(ProviderError) in
            try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: stripe)
        }
        XCTAssertEqual(first?.message, "Your card has insufficient funds.")
        XCTAssertEqual(first?.isRetryable, false)
        await assertProviderError(.declined, code: "expired_card") { () async throws(ProviderError) in
            try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: stripe)
        }
        await server.stop()
    }

    func testStatusesMapToKindsWithoutRetriesOrLeakedSecrets() async throws {
        let cases: [(HTTPStatus, String, ProviderError.Kind, String?)] = [
            (
                400,
                #"{"error":{"type":"invalid_request_error","code":"parameter_invalid_integer","param":"amount","message":"Invalid integer"}}"#,
                .invalidRequest, "parameter_invalid_integer"
            ),
            (
                401, #"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: \#(secret)"}}"#,
                .authentication, "invalid_request_error"
            ),
            (
                403, #"{"error":{"type":"invalid_request_error","code":"secret_key_required","message":"forbidden"}}"#,
                .authentication, "secret_key_required"
            ),
            (
                404,
                #"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payment_intent"}}"#,
                .invalidRequest, "resource_missing"
            ),
            (
                409,
                #"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}}"#,
                .invalidRequest, "idempotency_error"
            ),
            (
                409, #"{"error":{"type":"idempotency_error","code":"idempotency_key_in_use","message":"in use"}}"#,
                .timeout, "idempotency_key_in_use"
            ),
            (
                429, #"{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}"#,
                .rateLimited, "rate_limit"
            ),
            (500, #"{"error":{"type":"api_error","message":"Something went wrong"}}"#, .unavailable, "api_error"),
            (503, "<html>Service Unavailable</html>", .unavailable, nil),
        ]
        for (status, body, kind, code) in cases {
            let server = try await AdapterProviderServer([.json(.POST, "/v1/payment_intents", status: status, body)])
            let error = await assertProviderError(kind) { () async throws(ProviderError) in
                try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: connector(server.baseURL))
            }
            XCTAssertEqual(error?.code, code, "\(status)")
            XCTAssertFalse(
                error?.description.contains(secret) ?? true, "the secret key leaked into \(String(describing: error))")
            XCTAssertEqual(server.requests.count, 1, "\(status): the adapter must not retry (the gateway does)")
            await server.stop()
        }
    }

    func testMalformedSuccessIsUnknownAfterAPostAndUnavailableAfterAGet() async throws {
        let server = try await AdapterProviderServer([
            .json(.POST, "/v1/payment_intents", #"{"id":"pi_1","status":"#),
            .json(.GET, "/v1/payment_intents/{id}", "[1,2,3]"),
        ])
        let stripe = connector(server.baseURL)
        let afterPost = await assertProviderError(.timeout, code: "unexpected_response") {
            () async throws(ProviderError) in
            try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: stripe)
        }
        XCTAssertEqual(afterPost?.mayHaveTakenEffect, true)
        await assertProviderError(.unavailable, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.fetchPayment("pi_1", connector: stripe)
        }
        await server.stop()
    }

    func testAServerThatNeverAnswersIsATimeout() async throws {
        let silent = try SilentListener()
        let started = ContinuousClock.now
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.createPayment(
                AdapterFixtures.paymentRequest(),
                connector: connector(silent.baseURL, timeout: .milliseconds(200)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
    }

    func testConnectionRefusedIsUnavailable() async throws {
        let error = await assertProviderError(.unavailable, code: "connect_failed") { () async throws(ProviderError) in
            try await adapter.createPayment(
                AdapterFixtures.paymentRequest(),
                connector: connector("http://127.0.0.1:\(SilentListener.closedPort())"))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, false)
        XCTAssertEqual(error?.isRetryable, true)
    }

    func testMissingSecretKeyIsAnAuthenticationErrorWithoutACall() async throws {
        let server = try await AdapterProviderServer([])
        await assertProviderError(.authentication, code: "missing_credentials") { () async throws(ProviderError) in
            try await adapter.fetchPayment(
                "pi_1", connector: AdapterFixtures.connector(.stripe, base: server.baseURL, credentials: [:]))
        }
        XCTAssertEqual(server.requests.count, 0)
        await server.stop()
    }
}
