import Foundation
import HTTP
import ProviderKit
import Shared
import TestSupport
import XCTest

@testable import Payments

/// The Razorpay adapter against a fake Razorpay over real HTTP.
final class AdapterRazorpayTests: XCTestCase {
    let keyID = "rzp_test_KeyID123"
    let keySecret = "rzpSecretValue987"
    let adapter = RazorpayAdapter(httpClient: AdapterFixtures.client)

    func connector(_ base: String, extra: [String: String] = [:], timeout: Duration = .seconds(5)) -> ProviderConnector
    {
        AdapterFixtures.connector(
            .razorpay, base: base,
            credentials: ["key_id": keyID, "key_secret": keySecret].merging(extra) { $1 },
            timeout: timeout)
    }

    var basicAuth: String { "Basic " + Base64.encode(Array("\(keyID):\(keySecret)".utf8)) }

    static func order(
        id: String = "order_ABC", amount: Int64 = 50_000, currency: String = "INR",
        status: String = "created", receipt: String = "pay_coffer_1"
    ) -> String {
        #"{"id":"\#(id)","entity":"order","amount":\#(amount),"amount_paid":0,"amount_due":\#(amount),"currency":"\#(currency)","receipt":"\#(receipt)","status":"\#(status)","attempts":0,"notes":[],"created_at":1700000000}"#
    }

    static func payment(
        id: String, status: String, amount: Int64 = 50_000, created: Int64 = 1_700_000_100,
        error: String = "null"
    ) -> String {
        let errorFields =
            error == "null"
            ? #""error_code":null,"error_description":null"#
            : #""error_code":"\#(error)","error_description":"Payment failed because the bank declined""#
        return
            #"{"id":"\#(id)","entity":"payment","amount":\#(amount),"currency":"INR","status":"\#(status)","order_id":"order_ABC","captured":\#(status == "captured"),"amount_refunded":0,\#(errorFields),"created_at":\#(created)}"#
    }

    static func collection(_ items: [String]) -> String {
        #"{"entity":"collection","count":\#(items.count),"items":[\#(items.joined(separator: ","))]}"#
    }

    // MARK: Create

    func testCreateLooksUpTheReceiptThenCreatesAnOrderAndSendsTheCustomerToCheckout() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/orders", Self.collection([])),
            .json(.POST, "/v1/orders", Self.order()),
        ])
        let base = server.baseURL
        let state = try await adapter.createPayment(
            AdapterFixtures.paymentRequest(amount: Money(minorUnits: 50_000, currency: .inr)),
            connector: connector(base))
        XCTAssertEqual(
            state,
            ProviderPaymentState(
                providerPaymentID: "order_ABC",
                status: .requiresAction(url: "\(base)/checkout/order_ABC"),
                amountCapturable: 0, amountCaptured: 0, currency: .inr,
                rawStatus: "created"))
        let requests = server.requests
        XCTAssertEqual(
            requests.map { "\($0.method) \($0.target)" },
            ["GET /v1/orders?receipt=pay_coffer_1", "POST /v1/orders"])
        XCTAssertTrue(requests.allSatisfy { $0.headers["Authorization"] == basicAuth })
        let create = requests[1]
        XCTAssertEqual(create.headers["Content-Type"], "application/json")
        XCTAssertNil(create.headers["Idempotency-Key"])
        let body = try XCTUnwrap(create.json)
        XCTAssertEqual(
            body,
            [
                "amount": 50_000, "currency": "INR", "receipt": "pay_coffer_1",
                "notes": ["coffer_payment_id": "pay_coffer_1"], "payment_capture": 1,
            ])
        XCTAssertEqual(body["amount"]?.numberLiteral, "50000")
        await server.stop()
    }

    func testManualCaptureOrdersAndExactAmountsInEveryExponent() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/orders", Self.collection([])),
            AdapterProviderServer.Route(method: .POST, template: "/v1/orders") { request, _, _ in
                let body = try JSONValue.parse(request.body)
                return AdapterReply.json(
                    .ok,
                    Self.order(
                        amount: body["amount"]?.int64Value ?? -1,
                        currency: body["currency"]?.stringValue ?? "?"))
            },
        ])
        for (money, literal) in [
            (Money(minorUnits: 1000, currency: .jpy), "1000"),
            (Money(minorUnits: 1234, currency: .kwd), "1234"),
        ] {
            let state = try await adapter.createPayment(
                AdapterFixtures.paymentRequest(amount: money, capture: .manual),
                connector: connector(server.baseURL))
            XCTAssertEqual(state.currency, money.currency)
            let body = try XCTUnwrap(server.requests.last?.json)
            XCTAssertEqual(body["amount"]?.numberLiteral, literal)
            XCTAssertEqual(body["currency"], .string(money.currency.code))
            XCTAssertEqual(body["payment_capture"], 0)
        }
        await server.stop()
    }

    func testAnOrderAlreadyCreatedForTheReceiptIsReturnedNotCreatedAgain() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .GET, "/v1/orders",
                Self.collection([Self.order(id: "order_OTHER", receipt: "pay_other"), Self.order()])),
            .json(
                .GET, "/v1/orders/{id}/payments", Self.collection([Self.payment(id: "pay_X1", status: "authorized")])),
            .json(.POST, "/v1/orders", Self.order(id: "order_DUPLICATE")),
        ])
        let state = try await adapter.createPayment(
            AdapterFixtures.paymentRequest(amount: Money(minorUnits: 50_000, currency: .inr)),
            connector: connector(server.baseURL))
        XCTAssertEqual(state.providerPaymentID, "pay_X1")
        XCTAssertEqual(state.status, .authorized)
        XCTAssertTrue(server.requests("POST", "/v1/orders").isEmpty, "no second order")
        XCTAssertEqual(server.requests.last?.target, "/v1/orders/order_ABC/payments")

        await assertProviderError(.invalidRequest, code: "receipt_reused") { () async throws(ProviderError) in
            try await adapter.createPayment(
                AdapterFixtures.paymentRequest(amount: Money(minorUnits: 1, currency: .inr)),
                connector: connector(server.baseURL))
        }
        await server.stop()
    }

    func testCheckoutURLTemplateFromTheAdapterOrTheConnector() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/orders", Self.collection([])),
            .json(.POST, "/v1/orders", Self.order()),
        ])
        let custom = RazorpayAdapter(
            httpClient: AdapterFixtures.client,
            checkoutURLTemplate: "https://shop.example/pay?order={order_id}&key={key_id}&ref={coffer_payment_id}")
        let request = AdapterFixtures.paymentRequest(amount: Money(minorUnits: 50_000, currency: .inr))
        let state = try await custom.createPayment(request, connector: connector(server.baseURL))
        XCTAssertEqual(
            state.status, .requiresAction(url: "https://shop.example/pay?order=order_ABC&key=\(keyID)&ref=pay_coffer_1")
        )
        let perConnector = try await custom.createPayment(
            request,
            connector: connector(server.baseURL, extra: ["checkout_url_template": "https://t.example/c/{order_id}"]))
        XCTAssertEqual(perConnector.status, .requiresAction(url: "https://t.example/c/order_ABC"))
        await server.stop()
    }

    // MARK: Fetch

    func testFetchByOrderTakesTheMostAdvancedPaymentThatDidNotFail() async throws {
        let scenarios: [String: [String]] = [
            "order_AUTH": [
                Self.payment(id: "pay_F", status: "failed", created: 3, error: "BAD_REQUEST_ERROR"),
                Self.payment(id: "pay_A", status: "authorized", created: 2),
            ],
            "order_CAP": [
                Self.payment(id: "pay_C", status: "captured", created: 1),
                Self.payment(id: "pay_N", status: "created", created: 5),
            ],
            "order_NONE": [],
            "order_FAILED": [
                Self.payment(id: "pay_F1", status: "failed", created: 1, error: "OLD_ERROR"),
                Self.payment(id: "pay_F2", status: "failed", created: 9, error: "BAD_REQUEST_ERROR"),
            ],
        ]
        let orders = [
            "order_NONE": Self.order(id: "order_NONE"),
            "order_FAILED": Self.order(id: "order_FAILED", status: "attempted"),
        ]
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/v1/orders/{id}/payments") { _, context, _ in
                AdapterReply.json(.ok, Self.collection(scenarios[context.parameter("id")] ?? []))
            },
            AdapterProviderServer.Route(method: .GET, template: "/v1/orders/{id}") { _, context, _ in
                AdapterReply.json(.ok, orders[context.parameter("id")] ?? "{}")
            },
        ])
        let razorpay = connector(server.baseURL)
        let authorized = try await adapter.fetchPayment("order_AUTH", connector: razorpay)
        XCTAssertEqual(
            authorized,
            ProviderPaymentState(
                providerPaymentID: "pay_A", status: .authorized,
                amountCapturable: 50_000, amountCaptured: 0, currency: .inr,
                rawStatus: "authorized"))
        let captured = try await adapter.fetchPayment("order_CAP", connector: razorpay)
        XCTAssertEqual(captured.providerPaymentID, "pay_C")
        XCTAssertEqual(captured.status, .captured)
        XCTAssertEqual(captured.amountCaptured, 50_000)
        let waiting = try await adapter.fetchPayment("order_NONE", connector: razorpay)
        XCTAssertEqual(waiting.providerPaymentID, "order_NONE")
        XCTAssertEqual(waiting.status, .requiresAction(url: "\(server.baseURL)/checkout/order_NONE"))
        let failed = try await adapter.fetchPayment("order_FAILED", connector: razorpay)
        XCTAssertEqual(
            failed.status, .failed(code: "BAD_REQUEST_ERROR", message: "Payment failed because the bank declined"))
        XCTAssertEqual(failed.rawStatus, "attempted")
        XCTAssertTrue(server.requests.allSatisfy { $0.method == "GET" })
        await server.stop()
    }

    func testFetchByPaymentIDReadsThePayment() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/payments/{id}", Self.payment(id: "pay_Z", status: "refunded"))
        ])
        let state = try await adapter.fetchPayment("pay_Z", connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .captured)
        XCTAssertEqual(state.rawStatus, "refunded")
        XCTAssertEqual(server.requests.map(\.target), ["/v1/payments/pay_Z"])
        await server.stop()
    }

    // MARK: Capture and cancel

    func testCaptureFindsThePaymentThroughTheOrderAndSendsAmountAndCurrency() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/orders/{id}/payments", Self.collection([Self.payment(id: "pay_A", status: "authorized")])),
            .json(.POST, "/v1/payments/{id}/capture", Self.payment(id: "pay_A", status: "captured")),
        ])
        let state = try await adapter.capturePayment(
            "order_ABC", amount: Money(minorUnits: 50_000, currency: .inr),
            idempotencyKey: "idem-cap", connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .captured)
        XCTAssertEqual(state.providerPaymentID, "pay_A")
        let capture = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(capture.target, "/v1/payments/pay_A/capture")
        XCTAssertEqual(capture.json, ["amount": 50_000, "currency": "INR"])
        await server.stop()
    }

    func testCaptureOfACapturedPaymentReportsCapturedWithoutPosting() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/payments/{id}", Self.payment(id: "pay_A", status: "captured")),
            .json(.POST, "/v1/payments/{id}/capture", Self.payment(id: "pay_A", status: "captured")),
        ])
        let state = try await adapter.capturePayment(
            "pay_A", amount: nil, idempotencyKey: "k",
            connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .captured)
        XCTAssertEqual(server.requests.map(\.method), ["GET"])
        await server.stop()
    }

    func testCaptureRefusedBecauseAnEarlierAttemptCapturedIsSuccess() async throws {
        let server = try await AdapterProviderServer([
            .sequence(
                .GET, "/v1/payments/{id}",
                [
                    AdapterReply.json(.ok, Self.payment(id: "pay_A", status: "authorized")),
                    AdapterReply.json(.ok, Self.payment(id: "pay_A", status: "captured")),
                ]),
            .json(
                .POST, "/v1/payments/{id}/capture", status: 400,
                #"{"error":{"code":"BAD_REQUEST_ERROR","description":"This payment has already been captured"}}"#),
        ])
        let state = try await adapter.capturePayment(
            "pay_A", amount: nil, idempotencyKey: "k",
            connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .captured)
        XCTAssertEqual(server.requests.map(\.method), ["GET", "POST", "GET"])
        XCTAssertEqual(server.requests[1].json, ["amount": 50_000, "currency": "INR"])
        await server.stop()
    }

    func testCaptureOfAnUnpaidOrderIsAnInvalidRequest() async throws {
        let server = try await AdapterProviderServer([.json(.GET, "/v1/orders/{id}/payments", Self.collection([]))])
        await assertProviderError(.invalidRequest, code: "payment_not_authorized") { () async throws(ProviderError) in
            try await adapter.capturePayment(
                "order_ABC", amount: nil, idempotencyKey: "k", connector: connector(server.baseURL))
        }
        await server.stop()
    }

    func testCancelOnlyReadsAndRefusesCapturedPayments() async throws {
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/v1/orders/{id}/payments") { _, context, _ in
                let items =
                    context.parameter("id") == "order_PAID"
                    ? [Self.payment(id: "pay_C", status: "captured")]
                    : context.parameter("id") == "order_AUTH" ? [Self.payment(id: "pay_A", status: "authorized")] : []
                return AdapterReply.json(.ok, Self.collection(items))
            },
            .json(.GET, "/v1/orders/{id}", Self.order()),
        ])
        let razorpay = connector(server.baseURL)
        let unpaid = try await adapter.cancelPayment("order_ABC", idempotencyKey: "k", connector: razorpay)
        XCTAssertEqual(
            unpaid,
            ProviderPaymentState(
                providerPaymentID: "order_ABC", status: .canceled, amountCapturable: 0,
                amountCaptured: 0, currency: .inr, rawStatus: "created"))
        let authorized = try await adapter.cancelPayment("order_AUTH", idempotencyKey: "k", connector: razorpay)
        XCTAssertEqual(authorized.status, .canceled)
        XCTAssertEqual(authorized.providerPaymentID, "pay_A")
        XCTAssertEqual(authorized.amountCapturable, 0)
        await assertProviderError(.invalidRequest, code: "payment_captured") { () async throws(ProviderError) in
            try await adapter.cancelPayment("order_PAID", idempotencyKey: "k", connector: razorpay)
        }
        XCTAssertTrue(server.requests.allSatisfy { $0.method == "GET" }, "Razorpay has nothing to call for a cancel")
        await server.stop()
    }

    // MARK: Refunds

    func testRefundFindsTheCapturedPaymentChecksForAnEarlierRefundThenPosts() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/orders/{id}/payments", Self.collection([Self.payment(id: "pay_C", status: "captured")])),
            .json(
                .GET, "/v1/payments/{id}/refunds",
                Self.collection([
                    #"{"id":"rfnd_OTHER","entity":"refund","amount":100,"status":"processed","notes":{"coffer_refund_id":"re_other"}}"#
                ])),
            .json(
                .POST, "/v1/payments/{id}/refund",
                #"{"id":"rfnd_1","entity":"refund","amount":2500,"currency":"INR","payment_id":"pay_C","status":"pending"}"#
            ),
            .json(.GET, "/v1/refunds/{id}", #"{"id":"rfnd_1","entity":"refund","amount":2500,"status":"processed"}"#),
        ])
        let razorpay = connector(server.baseURL)
        let state = try await adapter.refund(
            AdapterFixtures.refundRequest(payment: "order_ABC", amount: Money(minorUnits: 2500, currency: .inr)),
            connector: razorpay)
        XCTAssertEqual(
            state, ProviderRefundState(providerRefundID: "rfnd_1", status: .pending, amount: 2500, rawStatus: "pending")
        )
        XCTAssertEqual(
            server.requests.map { "\($0.method) \($0.target)" },
            ["GET /v1/orders/order_ABC/payments", "GET /v1/payments/pay_C/refunds", "POST /v1/payments/pay_C/refund"])
        XCTAssertEqual(
            server.requests.last?.json,
            ["amount": 2500, "notes": ["coffer_refund_id": "re_coffer_1"], "receipt": "re_coffer_1"])
        let fetched = try await adapter.fetchRefund("rfnd_1", connector: razorpay)
        XCTAssertEqual(fetched.status, .succeeded)
        await server.stop()
    }

    func testARefundAlreadyMadeForTheRefundIDIsReturnedNotMadeAgain() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .GET, "/v1/payments/{id}/refunds",
                Self.collection([
                    #"{"id":"rfnd_EARLIER","entity":"refund","amount":2500,"status":"failed","receipt":"re_coffer_1","notes":[]}"#
                ])),
            .json(.POST, "/v1/payments/{id}/refund", #"{"id":"rfnd_DUP","amount":2500,"status":"pending"}"#),
        ])
        let state = try await adapter.refund(
            AdapterFixtures.refundRequest(payment: "pay_C", amount: Money(minorUnits: 2500, currency: .inr)),
            connector: connector(server.baseURL))
        XCTAssertEqual(state.providerRefundID, "rfnd_EARLIER")
        XCTAssertEqual(state.status, .failed)
        XCTAssertTrue(server.requests("POST", "/v1/payments/pay_C/refund").isEmpty)
        await server.stop()
    }

    // MARK: Errors

    func testErrorStatusesMapToKinds() async throws {
        let cases: [(HTTPStatus, String, ProviderError.Kind, String?)] = [
            (
                400,
                #"{"error":{"code":"BAD_REQUEST_ERROR","description":"The amount must be at least INR 1.00","field":"amount"}}"#,
                .invalidRequest, "BAD_REQUEST_ERROR"
            ),
            (
                401, #"{"error":{"code":"BAD_REQUEST_ERROR","description":"Authentication failed for \#(keySecret)"}}"#,
                .authentication, "BAD_REQUEST_ERROR"
            ),
            (
                404, #"{"error":{"code":"BAD_REQUEST_ERROR","description":"The id provided does not exist"}}"#,
                .invalidRequest, "BAD_REQUEST_ERROR"
            ),
            (
                429, #"{"error":{"code":"BAD_REQUEST_ERROR","description":"Too many requests"}}"#, .rateLimited,
                "BAD_REQUEST_ERROR"
            ),
            (
                500,
                #"{"error":{"code":"SERVER_ERROR","description":"We are facing some trouble completing your request at the moment."}}"#,
                .unavailable, "SERVER_ERROR"
            ),
            (
                502,
                #"{"error":{"code":"GATEWAY_ERROR","description":"Payment processing failed due to error at bank or wallet gateway"}}"#,
                .unavailable, "GATEWAY_ERROR"
            ),
            (503, "upstream connect error", .unavailable, nil),
        ]
        for (status, body, kind, code) in cases {
            let server = try await AdapterProviderServer([
                .json(.GET, "/v1/orders", Self.collection([])),
                .json(.POST, "/v1/orders", status: status, body),
            ])
            let error = await assertProviderError(kind) { () async throws(ProviderError) in
                try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: connector(server.baseURL))
            }
            XCTAssertEqual(error?.code, code, "\(status)")
            XCTAssertFalse(
                error?.description.contains(keySecret) ?? true, "secret leaked: \(String(describing: error))")
            XCTAssertEqual(server.requests("POST", "/v1/orders").count, 1, "no retries in the adapter")
            await server.stop()
        }
    }

    func testMalformedAnswersNeverCrash() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/orders", Self.collection([])),
            .json(.POST, "/v1/orders", #"{"id":"order_1","entity":"order""#),
            .json(.GET, "/v1/payments/{id}", #"{"id":"pay_1","status":"captured","amount":"500","currency":"INR"}"#),
            .json(.GET, "/v1/orders/{id}/payments", #"{"entity":"collection","items":{}}"#),
        ])
        let razorpay = connector(server.baseURL)
        await assertProviderError(.timeout, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.createPayment(AdapterFixtures.paymentRequest(), connector: razorpay)
        }
        await assertProviderError(.unavailable, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.fetchPayment("pay_1", connector: razorpay)
        }
        await assertProviderError(.unavailable, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.fetchPayment("order_1", connector: razorpay)
        }
        await server.stop()
    }

    func testTimeoutsAndRefusedConnections() async throws {
        let silent = try SilentListener()
        // The receipt lookup hangs: nothing was created, so the create is not in doubt.
        await assertProviderError(.unavailable, code: "timeout") { () async throws(ProviderError) in
            try await adapter.createPayment(
                AdapterFixtures.paymentRequest(),
                connector: connector(silent.baseURL, timeout: .milliseconds(150)))
        }
        await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.fetchRefund("rfnd_1", connector: connector(silent.baseURL, timeout: .milliseconds(150)))
        }
        await assertProviderError(.unavailable, code: "connect_failed") { () async throws(ProviderError) in
            try await adapter.fetchPayment(
                "pay_1", connector: connector("http://127.0.0.1:\(SilentListener.closedPort())"))
        }
    }

    func testAnOrderCreateThatNeverAnswersMayHaveTakenEffect() async throws {
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/orders", Self.collection([])),
            AdapterProviderServer.Route(method: .POST, template: "/v1/orders") { _, _, _ in
                try await Task.sleep(for: .milliseconds(600))
                return AdapterReply.json(.ok, Self.order())
            },
        ])
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.createPayment(
                AdapterFixtures.paymentRequest(),
                connector: connector(server.baseURL, timeout: .milliseconds(150)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
        await server.stop()
    }

    func testMissingCredentialsAreRefusedWithoutACall() async throws {
        let server = try await AdapterProviderServer([])
        await assertProviderError(.authentication, code: "missing_credentials") { () async throws(ProviderError) in
            try await adapter.fetchPayment(
                "pay_1",
                connector: AdapterFixtures.connector(
                    .razorpay, base: server.baseURL,
                    credentials: ["key_id": keyID]))
        }
        XCTAssertTrue(server.requests.isEmpty)
        await server.stop()
    }
}
