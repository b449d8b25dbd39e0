import Foundation
import HTTP
import ProviderKit
import Shared
import TestSupport
import XCTest

@testable import Payments

/// The PayPal adapter against a fake PayPal over real HTTP: OAuth tokens, orders, captures,
/// authorizations, refunds, and every error shape.
final class AdapterPayPalTests: XCTestCase {
    let clientID = "AYpayPalClientID"
    let clientSecret = "EPpayPalClientSecretXYZ"

    func connector(_ base: String, id: String = "conn_pp_1", timeout: Duration = .seconds(5)) -> ProviderConnector {
        AdapterFixtures.connector(
            .paypal, base: base, credentials: ["client_id": clientID, "client_secret": clientSecret],
            timeout: timeout, connectorID: id)
    }

    func apiRequests(_ server: AdapterProviderServer) -> [RecordedRequest] {
        server.requests.filter { $0.path != "/v1/oauth2/token" }
    }

    // MARK: Create

    func testCreateFetchesATokenThenPostsTheOrderExactly() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route, tokens.authenticated(.POST, "/v2/checkout/orders", status: 201, PayPalBodies.created()),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.createPayment(
            AdapterFixtures.paymentRequest(), connector: connector(server.baseURL))
        XCTAssertEqual(
            state,
            ProviderPaymentState(
                providerPaymentID: "5O190127TN364715T",
                status: .requiresAction(url: "https://www.paypal.com/checkoutnow?token=5O190127TN364715T"),
                amountCapturable: 0, amountCaptured: 0, currency: .usd, rawStatus: "PAYER_ACTION_REQUIRED"))

        let requests = server.requests
        XCTAssertEqual(
            requests.map { "\($0.method) \($0.target)" }, ["POST /v1/oauth2/token", "POST /v2/checkout/orders"])
        let token = requests[0]
        XCTAssertEqual(
            token.headers["Authorization"], "Basic " + Base64.encode(Array("\(clientID):\(clientSecret)".utf8)))
        XCTAssertEqual(token.headers["Content-Type"], "application/x-www-form-urlencoded")
        XCTAssertEqual(token.bodyText, "grant_type=client_credentials")
        let order = requests[1]
        XCTAssertEqual(order.headers["Authorization"], "Bearer token-0")
        XCTAssertEqual(order.headers["PayPal-Request-Id"], "idem-create-1")
        XCTAssertEqual(order.headers["Content-Type"], "application/json")
        XCTAssertEqual(order.headers["Prefer"], "return=representation")
        XCTAssertEqual(
            order.json,
            [
                "intent": "CAPTURE",
                "purchase_units": [
                    [
                        "reference_id": "pay_coffer_1", "custom_id": "pay_coffer_1", "description": "Order #42 & co",
                        "amount": ["currency_code": "USD", "value": "10.50"],
                    ]
                ],
                "payment_source": [
                    "paypal": [
                        "experience_context": [
                            "return_url": "https://shop.example/return?order=42",
                            "cancel_url": "https://shop.example/return?order=42",
                        ],
                        "email_address": "buyer+1@example.com",
                    ]
                ],
            ])
        await server.stop()
    }

    func testManualCaptureAuthorizesAndAmountsAreExactMajorUnits() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route, tokens.authenticated(.POST, "/v2/checkout/orders", status: 201, PayPalBodies.created()),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let cases: [(Money, String)] = [
            (Money(minorUnits: 1050, currency: .usd), "10.50"),
            (Money(minorUnits: 1000, currency: .jpy), "1000"),
            (Money(minorUnits: 1234, currency: .kwd), "1.234"),
            (Money(minorUnits: 5, currency: .usd), "0.05"),
        ]
        for (money, value) in cases {
            let state = try await adapter.createPayment(
                AdapterFixtures.paymentRequest(
                    amount: money, capture: .manual, description: nil, email: nil, returnURL: nil),
                connector: connector(server.baseURL))
            XCTAssertEqual(state.currency, money.currency)
            let body = try XCTUnwrap(server.requests.last?.json)
            XCTAssertEqual(body["intent"], "AUTHORIZE")
            XCTAssertEqual(
                body.value(at: "purchase_units.0.amount"),
                ["currency_code": .string(money.currency.code), "value": .string(value)])
            XCTAssertNil(body["payment_source"])
            XCTAssertNil(body.value(at: "purchase_units.0.description"))
        }
        XCTAssertEqual(tokens.issuedCount, 1)
        await server.stop()
    }

    // MARK: Tokens

    func testOneTokenServesManyCallsPerConnector() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}", PayPalBodies.order(status: "APPROVED")),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        for _ in 0..<5 { _ = try await adapter.fetchPayment("5O190127TN364715T", connector: connector(server.baseURL)) }
        XCTAssertEqual(tokens.issuedCount, 1)
        _ = try await adapter.fetchPayment("5O190127TN364715T", connector: connector(server.baseURL, id: "conn_pp_2"))
        XCTAssertEqual(tokens.issuedCount, 2, "another connector has its own token")
        XCTAssertEqual(
            apiRequests(server).map { $0.headers["Authorization"] ?? "" },
            Array(repeating: "Bearer token-0", count: 5) + ["Bearer token-1"])
        await server.stop()
    }

    func testConcurrentCallsShareOneTokenFetch() async throws {
        let tokens = AdapterPayPalTokens()
        tokens.setDelay(.milliseconds(100))
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}", PayPalBodies.order(status: "APPROVED")),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        let statuses = try await withThrowingTaskGroup(of: ProviderPaymentState.Status.self) { group in
            for _ in 0..<20 {
                group.addTask { try await adapter.fetchPayment("5O190127TN364715T", connector: paypal).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: .authorized, count: 20))
        XCTAssertEqual(tokens.issuedCount, 1)
        await server.stop()
    }

    func testA401RefreshesTheTokenOnceAndRepeatsTheCall() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}", PayPalBodies.order(status: "APPROVED")),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        _ = try await adapter.fetchPayment("5O190127TN364715T", connector: paypal)
        tokens.revoke("token-0")
        let state = try await adapter.fetchPayment("5O190127TN364715T", connector: paypal)
        XCTAssertEqual(state.status, .authorized)
        XCTAssertEqual(tokens.issuedCount, 2)
        _ = try await adapter.fetchPayment("5O190127TN364715T", connector: paypal)
        XCTAssertEqual(tokens.issuedCount, 2, "the fresh token is cached")
        XCTAssertEqual(
            apiRequests(server).map { $0.headers["Authorization"] ?? "" },
            ["Bearer token-0", "Bearer token-0", "Bearer token-1", "Bearer token-1"])
        await server.stop()
    }

    func testA401AfterRefreshIsAnAuthenticationError() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            .json(.POST, "/v2/checkout/orders", status: 401, PayPalBodies.error("AUTHENTICATION_FAILURE")),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.authentication, code: "AUTHENTICATION_FAILURE") {
            () async throws(ProviderError) in
            try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: connector(server.baseURL))
        }
        XCTAssertFalse(error?.description.contains("token-") ?? true)
        XCTAssertEqual(tokens.issuedCount, 2, "one refresh, not a loop")
        XCTAssertEqual(
            apiRequests(server).map { $0.headers["Authorization"] ?? "" }, ["Bearer token-0", "Bearer token-1"])
        XCTAssertEqual(
            apiRequests(server).map { $0.headers["PayPal-Request-Id"] ?? "" }, ["idem-create-1", "idem-create-1"])
        await server.stop()
    }

    func testATokenIsRefreshedBeforeItExpires() async throws {
        let tokens = AdapterPayPalTokens()
        tokens.setExpiresIn(1)
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}", PayPalBodies.order(status: "APPROVED")),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        _ = try await adapter.fetchPayment("5O190127TN364715T", connector: paypal)
        _ = try await adapter.fetchPayment("5O190127TN364715T", connector: paypal)
        XCTAssertEqual(tokens.issuedCount, 1)
        try await Task.sleep(for: .milliseconds(600))  // past half of the 1 s lifetime
        _ = try await adapter.fetchPayment("5O190127TN364715T", connector: paypal)
        XCTAssertEqual(tokens.issuedCount, 2)
        await server.stop()
    }

    func testRefusedClientCredentialsAreAnAuthenticationErrorWithoutTheSecret() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .POST, "/v1/oauth2/token", status: 401,
                #"{"error":"invalid_client","error_description":"Client Authentication failed for \#(clientSecret)"}"#),
            .json(.POST, "/v2/checkout/orders", status: 201, PayPalBodies.created()),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.authentication, code: "invalid_client") {
            () async throws(ProviderError) in
            try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: connector(server.baseURL))
        }
        XCTAssertFalse(error?.description.contains(clientSecret) ?? true)
        XCTAssertEqual(apiRequests(server).count, 0, "no API call without a token")
        await server.stop()
    }

    // MARK: Fetch

    func testFetchMapsOrderStates() async throws {
        let tokens = AdapterPayPalTokens()
        let orders: [String: String] = [
            "APPROVED": PayPalBodies.order("APPROVED", status: "APPROVED"),
            "CAPTURED": PayPalBodies.order("CAPTURED", status: "COMPLETED", payments: PayPalBodies.captures()),
            "PENDING": PayPalBodies.order("PENDING", status: "COMPLETED", payments: PayPalBodies.captures("PENDING")),
            "DECLINED": PayPalBodies.order(
                "DECLINED", status: "COMPLETED", payments: PayPalBodies.captures("DECLINED")),
            "AUTHORIZED": PayPalBodies.order(
                "AUTHORIZED", status: "COMPLETED", intent: "AUTHORIZE",
                payments: PayPalBodies.authorizations()),
            "VOIDED": PayPalBodies.order("VOIDED", status: "VOIDED"),
            "WAITING": PayPalBodies.order("WAITING", status: "PAYER_ACTION_REQUIRED"),
            "BADAMOUNT": PayPalBodies.order("BADAMOUNT", status: "APPROVED", value: "10.5.0"),
        ]
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}") { _, context, _ in
                AdapterReply.json(.ok, orders[context.parameter("id")] ?? "{}")
            },
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        func fetch(_ id: String) async throws -> ProviderPaymentState {
            try await adapter.fetchPayment(id, connector: paypal)
        }

        let approved = try await fetch("APPROVED")
        XCTAssertEqual(
            approved,
            ProviderPaymentState(
                providerPaymentID: "APPROVED", status: .authorized, amountCapturable: 1050,
                amountCaptured: 0, currency: .usd, rawStatus: "APPROVED"))
        let captured = try await fetch("CAPTURED")
        XCTAssertEqual(captured.status, .captured)
        XCTAssertEqual(captured.amountCaptured, 1050)
        await XCTAssertEqualAsync(try await fetch("PENDING").status, .processing)
        await XCTAssertEqualAsync(try await fetch("DECLINED").status, .failed(code: "CAPTURE_DECLINED", message: nil))
        let authorized = try await fetch("AUTHORIZED")
        XCTAssertEqual(authorized.status, .authorized)
        XCTAssertEqual(authorized.amountCapturable, 1050)
        await XCTAssertEqualAsync(try await fetch("VOIDED").status, .canceled)
        await XCTAssertEqualAsync(
            try await fetch("WAITING").status,
            .requiresAction(url: "https://www.paypal.com/checkoutnow?token=WAITING"))
        await assertProviderError(.unavailable, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.fetchPayment("BADAMOUNT", connector: paypal)
        }
        XCTAssertEqual(tokens.issuedCount, 1)
        await server.stop()
    }

    // MARK: Capture

    func testCaptureOfAnApprovedCaptureOrderPostsOrderCapture() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}", PayPalBodies.order(status: "APPROVED")),
            tokens.authenticated(
                .POST, "/v2/checkout/orders/{id}/capture", status: 201,
                PayPalBodies.order(status: "COMPLETED", payments: PayPalBodies.captures())),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.capturePayment(
            "5O190127TN364715T", amount: nil, idempotencyKey: "idem-cap",
            connector: connector(server.baseURL))
        XCTAssertEqual(
            state,
            ProviderPaymentState(
                providerPaymentID: "5O190127TN364715T", status: .captured,
                amountCapturable: 0, amountCaptured: 1050, currency: .usd,
                rawStatus: "COMPLETED"))
        let capture = try XCTUnwrap(apiRequests(server).last)
        XCTAssertEqual(capture.target, "/v2/checkout/orders/5O190127TN364715T/capture")
        XCTAssertEqual(capture.headers["PayPal-Request-Id"], "idem-cap")
        XCTAssertEqual(capture.json, [:])

        await assertProviderError(.invalidRequest, code: "partial_capture_unsupported") {
            () async throws(ProviderError) in
            try await adapter.capturePayment(
                "5O190127TN364715T", amount: Money(minorUnits: 500, currency: .usd),
                idempotencyKey: "idem-cap-2", connector: connector(server.baseURL))
        }
        XCTAssertEqual(server.requests("POST", "/v2/checkout/orders/5O190127TN364715T/capture").count, 1)
        await server.stop()
    }

    func testCaptureOfAnAuthorizeOrderAuthorizesThenCapturesPartOfTheAuthorization() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(
                .GET, "/v2/checkout/orders/{id}", PayPalBodies.order(status: "APPROVED", intent: "AUTHORIZE")),
            tokens.authenticated(
                .POST, "/v2/checkout/orders/{id}/authorize", status: 201,
                PayPalBodies.order(status: "COMPLETED", intent: "AUTHORIZE", payments: PayPalBodies.authorizations())),
            tokens.authenticated(
                .POST, "/v2/payments/authorizations/{id}/capture", status: 201,
                #"{"id":"CAP9","status":"COMPLETED","amount":{"currency_code":"USD","value":"8.00"},"final_capture":true}"#
            ),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.capturePayment(
            "5O190127TN364715T", amount: Money(minorUnits: 800, currency: .usd),
            idempotencyKey: "idem-cap", connector: connector(server.baseURL))
        XCTAssertEqual(
            state,
            ProviderPaymentState(
                providerPaymentID: "5O190127TN364715T", status: .captured,
                amountCapturable: 0, amountCaptured: 800, currency: .usd,
                rawStatus: "COMPLETED"))
        let calls = apiRequests(server)
        XCTAssertEqual(
            calls.map { "\($0.method) \($0.target)" },
            [
                "GET /v2/checkout/orders/5O190127TN364715T",
                "POST /v2/checkout/orders/5O190127TN364715T/authorize",
                "POST /v2/payments/authorizations/AUTH1/capture",
            ])
        XCTAssertEqual(calls[1].headers["PayPal-Request-Id"], "idem-cap-authorize")
        XCTAssertEqual(calls[2].headers["PayPal-Request-Id"], "idem-cap")
        XCTAssertEqual(calls[2].json, ["final_capture": true, "amount": ["currency_code": "USD", "value": "8.00"]])
        await server.stop()
    }

    func testCaptureOfACompletedAuthorizationSendsNoAmountForTheFullAmountAndAlreadyCapturedIsNotCapturedAgain()
        async throws
    {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}") { _, context, _ in
                AdapterReply.json(
                    .ok,
                    context.parameter("id") == "DONE"
                        ? PayPalBodies.order("DONE", status: "COMPLETED", payments: PayPalBodies.captures())
                        : PayPalBodies.order(
                            "AUTH", status: "COMPLETED", intent: "AUTHORIZE", payments: PayPalBodies.authorizations()))
            },
            tokens.authenticated(
                .POST, "/v2/payments/authorizations/{id}/capture", status: 201,
                #"{"id":"CAP9","status":"PENDING","links":[]}"#),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let pending = try await adapter.capturePayment(
            "AUTH", amount: Money(minorUnits: 1050, currency: .usd),
            idempotencyKey: "k1", connector: connector(server.baseURL))
        XCTAssertEqual(pending.status, .processing)
        XCTAssertEqual(apiRequests(server).last?.json, ["final_capture": true])
        let done = try await adapter.capturePayment(
            "DONE", amount: nil, idempotencyKey: "k2", connector: connector(server.baseURL))
        XCTAssertEqual(done.status, .captured)
        XCTAssertEqual(apiRequests(server).last?.method, "GET", "a captured order is not captured again")
        await server.stop()
    }

    func testCaptureDeclinesAndPayerActionRequired() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}") { _, context, _ in
                AdapterReply.json(.ok, PayPalBodies.order(context.parameter("id"), status: "APPROVED"))
            },
            tokens.authenticated(.POST, "/v2/checkout/orders/{id}/capture") { _, context, _ in
                let issue = context.parameter("id") == "DECLINE" ? "INSTRUMENT_DECLINED" : "PAYER_ACTION_REQUIRED"
                return AdapterReply.json(422, PayPalBodies.error("UNPROCESSABLE_ENTITY", issue: issue))
            },
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        await assertProviderError(.declined, code: "INSTRUMENT_DECLINED") { () async throws(ProviderError) in
            try await adapter.capturePayment(
                "DECLINE", amount: nil, idempotencyKey: "k", connector: connector(server.baseURL))
        }
        let again = try await adapter.capturePayment(
            "ACT", amount: nil, idempotencyKey: "k", connector: connector(server.baseURL))
        XCTAssertEqual(again.status, .requiresAction(url: "https://www.paypal.com/checkoutnow?token=ACT"))
        await server.stop()
    }

    // MARK: Cancel

    func testCancelVoidsAnAuthorizationAndOnlyReadsOtherwise() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}") { _, context, _ in
                let body =
                    switch context.parameter("id") {
                    case "AUTH":
                        PayPalBodies.order(
                            "AUTH", status: "COMPLETED", intent: "AUTHORIZE", payments: PayPalBodies.authorizations())
                    case "PAID": PayPalBodies.order("PAID", status: "COMPLETED", payments: PayPalBodies.captures())
                    case "PENDING":
                        PayPalBodies.order("PENDING", status: "COMPLETED", payments: PayPalBodies.captures("PENDING"))
                    default: PayPalBodies.order("NEW", status: "PAYER_ACTION_REQUIRED")
                    }
                return AdapterReply.json(.ok, body)
            },
            tokens.authenticated(.POST, "/v2/payments/authorizations/{id}/void") { _, _, _ in
                HTTPResponse(status: .noContent)
            },
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        let voided = try await adapter.cancelPayment("AUTH", idempotencyKey: "idem-void", connector: paypal)
        XCTAssertEqual(
            voided,
            ProviderPaymentState(
                providerPaymentID: "AUTH", status: .canceled, amountCapturable: 0,
                amountCaptured: 0, currency: .usd, rawStatus: "VOIDED"))
        let void = try XCTUnwrap(apiRequests(server).last)
        XCTAssertEqual(void.target, "/v2/payments/authorizations/AUTH1/void")
        XCTAssertEqual(void.headers["PayPal-Request-Id"], "idem-void")

        let unapproved = try await adapter.cancelPayment("NEW", idempotencyKey: "k", connector: paypal)
        XCTAssertEqual(unapproved.status, .canceled)
        XCTAssertEqual(apiRequests(server).last?.method, "GET")
        await assertProviderError(.invalidRequest, code: "payment_captured") { () async throws(ProviderError) in
            try await adapter.cancelPayment("PAID", idempotencyKey: "k", connector: paypal)
        }
        await assertProviderError(.invalidRequest, code: "capture_pending") { () async throws(ProviderError) in
            try await adapter.cancelPayment("PENDING", idempotencyKey: "k", connector: paypal)
        }
        XCTAssertEqual(server.requests.filter { $0.path.hasSuffix("/void") }.count, 1)
        await server.stop()
    }

    // MARK: Refunds

    func testRefundFindsTheCaptureAndPostsTheExactAmount() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(
                .GET, "/v2/checkout/orders/{id}",
                PayPalBodies.order(status: "COMPLETED", payments: PayPalBodies.captures())),
            tokens.authenticated(
                .POST, "/v2/payments/captures/{id}/refund", status: 201,
                #"{"id":"1JU08902781691411","status":"COMPLETED","links":[]}"#),
            tokens.authenticated(
                .GET, "/v2/payments/refunds/{id}",
                #"{"id":"1JU08902781691411","status":"PENDING","amount":{"currency_code":"USD","value":"4.25"},"custom_id":"re_coffer_1"}"#
            ),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        let state = try await adapter.refund(
            AdapterFixtures.refundRequest(
                payment: "5O190127TN364715T", amount: Money(minorUnits: 1050, currency: .usd)),
            connector: paypal)
        XCTAssertEqual(
            state,
            ProviderRefundState(
                providerRefundID: "1JU08902781691411", status: .succeeded, amount: 1050,
                rawStatus: "COMPLETED"))
        let refund = try XCTUnwrap(apiRequests(server).last)
        XCTAssertEqual(refund.target, "/v2/payments/captures/CAP1/refund")
        XCTAssertEqual(refund.headers["PayPal-Request-Id"], "idem-refund-1")
        XCTAssertEqual(
            refund.json, ["amount": ["value": "10.50", "currency_code": "USD"], "custom_id": "re_coffer_1"])

        let fetched = try await adapter.fetchRefund("1JU08902781691411", connector: paypal)
        XCTAssertEqual(
            fetched,
            ProviderRefundState(
                providerRefundID: "1JU08902781691411", status: .pending, amount: 425,
                rawStatus: "PENDING"))
        await server.stop()
    }

    func testRefundOfAnUncapturedOrderIsRefusedWithoutPosting() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}", PayPalBodies.order(status: "APPROVED")),
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        await assertProviderError(.invalidRequest, code: "payment_not_captured") { () async throws(ProviderError) in
            try await adapter.refund(
                AdapterFixtures.refundRequest(payment: "X", amount: Money(minorUnits: 1, currency: .usd)),
                connector: connector(server.baseURL))
        }
        XCTAssertTrue(apiRequests(server).allSatisfy { $0.method == "GET" })
        await server.stop()
    }

    // MARK: Errors

    func testErrorStatusesMapToKinds() async throws {
        let cases: [(HTTPStatus, String, ProviderError.Kind, String?)] = [
            (
                400, PayPalBodies.error("INVALID_REQUEST", issue: "INVALID_PARAMETER_VALUE"), .invalidRequest,
                "INVALID_PARAMETER_VALUE"
            ),
            (
                403, PayPalBodies.error("NOT_AUTHORIZED", issue: "PERMISSION_DENIED"), .authentication,
                "PERMISSION_DENIED"
            ),
            (
                404, PayPalBodies.error("RESOURCE_NOT_FOUND", issue: "INVALID_RESOURCE_ID"), .invalidRequest,
                "INVALID_RESOURCE_ID"
            ),
            (
                422, PayPalBodies.error("UNPROCESSABLE_ENTITY", issue: "DUPLICATE_INVOICE_ID"), .invalidRequest,
                "DUPLICATE_INVOICE_ID"
            ),
            (
                422, PayPalBodies.error("UNPROCESSABLE_ENTITY", issue: "TRANSACTION_REFUSED"), .declined,
                "TRANSACTION_REFUSED"
            ),
            (429, PayPalBodies.error("RATE_LIMIT_REACHED"), .rateLimited, "RATE_LIMIT_REACHED"),
            (
                500, PayPalBodies.error("INTERNAL_SERVER_ERROR", issue: "INTERNAL_SERVICE_ERROR"), .unavailable,
                "INTERNAL_SERVICE_ERROR"
            ),
            (503, "<html>busy</html>", .unavailable, nil),
        ]
        for (status, body, kind, code) in cases {
            let tokens = AdapterPayPalTokens()
            let server = try await AdapterProviderServer([
                tokens.route, tokens.authenticated(.POST, "/v2/checkout/orders", status: status, body),
            ])
            let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
            let error = await assertProviderError(kind) { () async throws(ProviderError) in
                try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: connector(server.baseURL))
            }
            XCTAssertEqual(error?.code, code, "\(status)")
            XCTAssertEqual(apiRequests(server).count, 1, "\(status): no retries in the adapter")
            await server.stop()
        }
    }

    func testMalformedAnswersTimeoutsAndRefusedConnections() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.POST, "/v2/checkout/orders", status: 201, "<html>not json</html>"),
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}") { _, _, _ in
                try await Task.sleep(for: .milliseconds(600))
                return AdapterReply.json(.ok, PayPalBodies.order(status: "APPROVED"))
            },
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        await assertProviderError(.timeout, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: connector(server.baseURL))
        }
        await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.fetchPayment("X", connector: connector(server.baseURL, timeout: .milliseconds(150)))
        }
        // A capture whose order lookup times out has not been sent: nothing can have happened.
        await assertProviderError(.unavailable, code: "timeout") { () async throws(ProviderError) in
            try await adapter.capturePayment(
                "X", amount: nil, idempotencyKey: "k",
                connector: connector(server.baseURL, timeout: .milliseconds(150)))
        }
        let silent = try SilentListener()
        await assertProviderError(.unavailable, code: "timeout") { () async throws(ProviderError) in
            try await adapter.createPayment(
                AdapterFixtures.paymentRequest(),
                connector: connector(silent.baseURL, id: "silent", timeout: .milliseconds(150)))
        }
        await assertProviderError(.unavailable, code: "connect_failed") { () async throws(ProviderError) in
            try await adapter.createPayment(
                AdapterFixtures.paymentRequest(),
                connector: connector("http://127.0.0.1:\(SilentListener.closedPort())", id: "closed"))
        }
        await server.stop()
    }

    func testAnOrderCreateThatNeverAnswersMayHaveTakenEffect() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.POST, "/v2/checkout/orders") { _, _, _ in
                try await Task.sleep(for: .milliseconds(600))
                return AdapterReply.json(201, PayPalBodies.created())
            },
        ])
        let adapter = PayPalAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.createPayment(
                AdapterFixtures.paymentRequest(),
                connector: connector(server.baseURL, timeout: .milliseconds(200)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
        await server.stop()
    }
}
