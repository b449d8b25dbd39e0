import Foundation
import HTTP
import ProviderKit
import Shared
import XCTest

@testable import Payouts

/// The PayPal Payouts adapter against a fake PayPal (OAuth plus payouts) over real HTTP.
final class PayoutAdapterPayPalTests: XCTestCase {
    let clientSecret = "EPayPalClientSecretValue"
    let receiver = "seller.one@example.com"

    func connector(_ base: String, timeout: Duration = .seconds(5)) -> ProviderConnector {
        AdapterFixtures.connector(
            .paypal, base: base, credentials: ["client_id": "AClientId", "client_secret": clientSecret],
            timeout: timeout)
    }

    func request(amount: Money = Money(minorUnits: 1050, currency: .usd), key: String = "po_paypal_1")
        -> ProviderPayoutRequest
    {
        PayoutFixtures.request(
            id: "po_paypal_1", amount: amount, destination: .paypal(email: receiver), narration: "June sales", key: key)
    }

    static func created(_ batchID: String = "5UXD2E8A7EBQJ", status: String = "PENDING") -> String {
        #"{"batch_header":{"payout_batch_id":"\#(batchID)","batch_status":"\#(status)","sender_batch_header":{"sender_batch_id":"po_paypal_1","email_subject":"You have a payout"}},"links":[{"href":"https://api-m.sandbox.paypal.com/v1/payments/payouts/\#(batchID)","rel":"self","method":"GET"}]}"#
    }

    static func item(status: String, batchID: String = "5UXD2E8A7EBQJ", errors: String = "") -> String {
        #"{"payout_item_id":"8AELMXH8UB2P8","transaction_id":"0C413693MN970190K","transaction_status":"\#(status)","payout_batch_id":"\#(batchID)","payout_item":{"recipient_type":"EMAIL","amount":{"value":"10.50","currency":"USD"},"note":"June sales","receiver":"seller.one@example.com","sender_item_id":"po_paypal_1"}\#(errors)}"#
    }

    static func batch(_ batchID: String = "5UXD2E8A7EBQJ", status: String = "SUCCESS", items: [String]) -> String {
        #"{"batch_header":{"payout_batch_id":"\#(batchID)","batch_status":"\#(status)","sender_batch_header":{"sender_batch_id":"po_paypal_1"},"amount":{"currency":"USD","value":"10.50"}},"items":[\#(items.joined(separator: ","))]}"#
    }

    // MARK: Send

    func testSendFetchesATokenAndPostsOneItemBatchWithTheRequestID() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route, tokens.authenticated(.POST, "/v1/payments/payouts", status: 201, Self.created()),
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.send(request(), connector: connector(server.baseURL))

        XCTAssertEqual(
            state,
            ProviderPayoutState(
                providerPayoutID: "5UXD2E8A7EBQJ", status: .pending, amount: 1050, currency: .usd, rawStatus: "PENDING")
        )
        let token = try XCTUnwrap(server.requests("POST", "/v1/oauth2/token").first)
        XCTAssertEqual(
            token.headers["Authorization"], "Basic \(Base64.encode(Array("AClientId:\(clientSecret)".utf8)))")
        XCTAssertEqual(token.bodyText, "grant_type=client_credentials")
        let sent = try XCTUnwrap(server.requests("POST", "/v1/payments/payouts").first)
        XCTAssertEqual(sent.headers["Authorization"], "Bearer token-0")
        XCTAssertEqual(sent.headers["PayPal-Request-Id"], "po_paypal_1")
        XCTAssertEqual(sent.headers["Content-Type"], "application/json")
        let body = try XCTUnwrap(sent.json)
        XCTAssertEqual(body.value(at: "sender_batch_header.sender_batch_id")?.stringValue, "po_paypal_1")
        XCTAssertEqual(body.value(at: "sender_batch_header.email_subject")?.stringValue, "You have a payout")
        XCTAssertEqual(body["items"]?.arrayValue?.count, 1)
        XCTAssertEqual(body.value(at: "items.0.recipient_type")?.stringValue, "EMAIL")
        XCTAssertEqual(body.value(at: "items.0.amount.value")?.stringValue, "10.50")
        XCTAssertEqual(body.value(at: "items.0.amount.currency")?.stringValue, "USD")
        XCTAssertEqual(body.value(at: "items.0.receiver")?.stringValue, receiver)
        XCTAssertEqual(body.value(at: "items.0.sender_item_id")?.stringValue, "po_paypal_1")
        XCTAssertEqual(body.value(at: "items.0.note")?.stringValue, "June sales")

        _ = try await adapter.send(
            request(amount: Money(minorUnits: 1000, currency: .jpy)), connector: connector(server.baseURL))
        _ = try await adapter.send(
            request(amount: Money(minorUnits: 1234, currency: .kwd)), connector: connector(server.baseURL))
        let values = server.requests("POST", "/v1/payments/payouts").map {
            $0.json?.value(at: "items.0.amount.value")?.stringValue
        }
        XCTAssertEqual(values, ["10.50", "1000", "1.234"], "major units, exact for every exponent")
        XCTAssertEqual(tokens.issuedCount, 1, "one token serves every call")
        await server.stop()
    }

    func testARepeatedSenderBatchIDReportsTheOriginalBatch() async throws {
        let tokens = AdapterPayPalTokens()
        let duplicate =
            #"{"name":"USER_BUSINESS_ERROR","message":"User business error.","debug_id":"2f5e8a4c1d","details":[{"field":"SENDER_BATCH_ID","issue":"Batch with given sender_batch_id already exists","link":[{"href":"https://api.sandbox.paypal.com/v1/payments/payouts/KKM4X27WFLE3C","rel":"self","method":"GET"}]}]}"#
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.POST, "/v1/payments/payouts", status: 400, duplicate),
            tokens.authenticated(
                .GET, "/v1/payments/payouts/{id}",
                Self.batch("KKM4X27WFLE3C", items: [Self.item(status: "SUCCESS", batchID: "KKM4X27WFLE3C")])),
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let state = try await adapter.send(request(), connector: connector(server.baseURL))
        XCTAssertEqual(state.providerPayoutID, "KKM4X27WFLE3C")
        XCTAssertEqual(state.status, .processed)
        XCTAssertEqual(server.requests("GET", "/v1/payments/payouts/KKM4X27WFLE3C").count, 1)

        let other = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(
                .POST, "/v1/payments/payouts", status: 400,
                #"{"name":"VALIDATION_ERROR","message":"Invalid request","details":[{"field":"items[0].receiver","issue":"Receiver is invalid"}]}"#
            ),
        ])
        await assertProviderError(.invalidRequest, code: "VALIDATION_ERROR") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(other.baseURL))
        }
        await server.stop()
        await other.stop()
    }

    func testOnlyPayPalAccountsArePaid() async throws {
        let server = try await AdapterProviderServer([])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        await assertProviderError(.invalidRequest, code: "destination_unsupported") { () async throws(ProviderError) in
            try await adapter.send(
                PayoutFixtures.request(destination: PayoutFixtures.upi), connector: connector(server.baseURL))
        }
        XCTAssertEqual(server.requests.count, 0)
        XCTAssertEqual(adapter.destinations, [.paypal])
        await server.stop()
    }

    // MARK: Statuses and lookup

    func testEveryItemStatusMaps() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v1/payments/payouts/{id}") { _, context, _ in
                let status = context.parameter("id")
                let errors =
                    status == "FAILED"
                    ? #","errors":{"name":"RECEIVER_UNREGISTERED","message":"Receiver is unregistered"}"# : ""
                return AdapterReply.json(
                    .ok, Self.batch(status, items: [Self.item(status: status, batchID: status, errors: errors)]))
            },
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        let expected: [(String, ProviderPayoutState.Status)] = [
            ("SUCCESS", .processed), ("PENDING", .pending), ("UNCLAIMED", .pending), ("ONHOLD", .pending),
            ("FAILED", .failed(code: "RECEIVER_UNREGISTERED", message: "Receiver is unregistered")),
            ("BLOCKED", .failed(code: "BLOCKED", message: nil)), ("DENIED", .failed(code: "DENIED", message: nil)),
            ("RETURNED", .failed(code: "RETURNED", message: nil)), ("REFUNDED", .reversed), ("REVERSED", .reversed),
        ]
        for (raw, status) in expected {
            let state = try await adapter.fetch(providerPayoutID: raw, reference: "po_paypal_1", connector: paypal)
            XCTAssertEqual(state?.status, status, raw)
            XCTAssertEqual(state?.rawStatus, raw)
            XCTAssertEqual(state?.providerPayoutID, raw, "the batch id")
            XCTAssertEqual(state?.amount, 1050)
        }
        await assertProviderError(.unavailable, code: "unexpected_response") { () async throws(ProviderError) in
            try await adapter.fetch(providerPayoutID: "TELEPORTED", reference: "po_paypal_1", connector: paypal)
        }
        await server.stop()
    }

    func testABatchWithoutItemsReportsItsOwnStatus() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v1/payments/payouts/{id}") { _, context, _ in
                AdapterReply.json(.ok, Self.batch(context.parameter("id"), status: context.parameter("id"), items: []))
            },
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        let pending = try await adapter.fetch(
            providerPayoutID: "PROCESSING", reference: "po_paypal_1", connector: paypal)
        XCTAssertEqual(pending?.status, .pending)
        XCTAssertEqual(pending?.amount, 1050)
        let denied = try await adapter.fetch(providerPayoutID: "DENIED", reference: "po_paypal_1", connector: paypal)
        XCTAssertEqual(denied?.status, .failed(code: "DENIED", message: nil))
        await server.stop()
    }

    func testAnIDThatIsNoBatchIsTriedAsAnItemAndNeitherIsNil() async throws {
        let tokens = AdapterPayPalTokens()
        let notFound = #"{"name":"RESOURCE_NOT_FOUND","message":"The specified resource does not exist."}"#
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v1/payments/payouts/{id}", status: 404, notFound),
            tokens.authenticated(.GET, "/v1/payments/payouts-item/{id}") { _, context, _ in
                context.parameter("id") == "8AELMXH8UB2P8"
                    ? AdapterReply.json(.ok, Self.item(status: "UNCLAIMED")) : AdapterReply.json(404, notFound)
            },
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        let item = try await adapter.fetch(
            providerPayoutID: "8AELMXH8UB2P8", reference: "po_paypal_1", connector: paypal)
        XCTAssertEqual(item?.providerPayoutID, "5UXD2E8A7EBQJ")
        XCTAssertEqual(item?.status, .pending)
        let none = try await adapter.fetch(providerPayoutID: "NOSUCHID", reference: "po_paypal_1", connector: paypal)
        XCTAssertNil(none)
        let calls = server.requests.count
        await assertProviderError(.invalidRequest, code: "reference_lookup_unsupported") {
            () async throws(ProviderError) in
            try await adapter.fetch(providerPayoutID: nil, reference: "po_paypal_1", connector: paypal)
        }
        XCTAssertEqual(server.requests.count, calls, "nothing is sent for a lookup PayPal cannot do")
        await server.stop()
    }

    // MARK: Tokens

    func testA401RefreshesTheTokenOnceAndRepeatsTheCall() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route, tokens.authenticated(.POST, "/v1/payments/payouts", status: 201, Self.created()),
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        _ = try await adapter.send(request(), connector: connector(server.baseURL))
        tokens.revoke("token-0")
        let state = try await adapter.send(request(), connector: connector(server.baseURL))
        XCTAssertEqual(state.status, .pending)
        XCTAssertEqual(tokens.issuedCount, 2)
        XCTAssertEqual(server.requests("POST", "/v1/payments/payouts").map { $0.headers["PayPal-Request-Id"] }.count, 3)
        await server.stop()
    }

    // MARK: Balance

    func testBalanceIsTheAvailableBalanceAndNilWithoutPermission() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.GET, "/v1/reporting/balances") { request, _, _ in
                switch request.queryParameters["currency_code"] {
                case "USD":
                    AdapterReply.json(
                        .ok,
                        #"{"balances":[{"currency":"USD","primary":true,"total_balance":{"currency_code":"USD","value":"900.00"},"available_balance":{"currency_code":"USD","value":"850.25"},"withheld_balance":{"currency_code":"USD","value":"49.75"}}],"account_id":"2VDZ5LQ6J6JYN"}"#
                    )
                case "EUR":
                    AdapterReply.json(.ok, #"{"balances":[],"account_id":"2VDZ5LQ6J6JYN"}"#)
                default:
                    AdapterReply.json(
                        403,
                        #"{"name":"NOT_AUTHORIZED","message":"Authorization failed due to insufficient permissions."}"#)
                }
            },
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let paypal = connector(server.baseURL)
        let usd = try await adapter.balance(currency: .usd, connector: paypal)
        XCTAssertEqual(usd, 85_025)
        let eur = try await adapter.balance(currency: .eur, connector: paypal)
        XCTAssertNil(eur)
        let gbp = try await adapter.balance(currency: .gbp, connector: paypal)
        XCTAssertNil(gbp, "without the reporting permission PayPal does not say")
        await server.stop()
    }

    // MARK: Errors

    func testErrorStatusesMapToKindsWithoutRetriesOrLeakedSecrets() async throws {
        let cases: [(HTTPStatus, String, ProviderError.Kind, String?)] = [
            (
                400,
                #"{"name":"VALIDATION_ERROR","message":"Invalid request - see details","details":[{"field":"items[0].receiver","issue":"Receiver \#(receiver) is invalid"}]}"#,
                .invalidRequest, "VALIDATION_ERROR"
            ),
            (
                422, #"{"name":"INSUFFICIENT_FUNDS","message":"Sender does not have sufficient funds."}"#, .declined,
                "INSUFFICIENT_FUNDS"
            ),
            (
                403, #"{"name":"AUTHORIZATION_ERROR","message":"Authorization error occurred for token-0"}"#,
                .authentication, "AUTHORIZATION_ERROR"
            ),
            (429, #"{"name":"RATE_LIMIT_REACHED","message":"Too many requests"}"#, .rateLimited, "RATE_LIMIT_REACHED"),
            (
                500, #"{"name":"INTERNAL_SERVER_ERROR","message":"An internal service error occurred."}"#, .unavailable,
                "INTERNAL_SERVER_ERROR"
            ),
            (503, "<html>Service Unavailable</html>", .unavailable, nil),
        ]
        for (status, body, kind, code) in cases {
            let tokens = AdapterPayPalTokens()
            let server = try await AdapterProviderServer([
                tokens.route, tokens.authenticated(.POST, "/v1/payments/payouts", status: status, body),
            ])
            let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
            let error = await assertProviderError(kind) { () async throws(ProviderError) in
                try await adapter.send(request(), connector: connector(server.baseURL))
            }
            XCTAssertEqual(error?.code, code, "\(status)")
            assertNoSecrets(error?.description, [clientSecret, "token-0", receiver])
            XCTAssertEqual(
                server.requests("POST", "/v1/payments/payouts").count, 1, "\(status): the adapter must not retry")
            await server.stop()
        }
    }

    func testRefusedClientCredentialsAreAnAuthenticationErrorBeforeAnyPayout() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .POST, "/v1/oauth2/token", status: 401,
                #"{"error":"invalid_client","error_description":"Client Authentication failed"}"#)
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.authentication, code: "invalid_client") {
            () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, false)
        XCTAssertEqual(server.requests("POST", "/v1/payments/payouts").count, 0)
        await server.stop()
    }

    func testAPayoutPostThatIsNotAnsweredInTimeIsATimeout() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            tokens.route,
            tokens.authenticated(.POST, "/v1/payments/payouts") { _, _, _ in
                try await Task.sleep(for: .seconds(1))
                return AdapterReply.json(201, Self.created())
            },
        ])
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(server.baseURL, timeout: .milliseconds(300)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
        await server.stop()
    }

    func testATokenEndpointThatNeverAnswersMeansNothingWasSent() async throws {
        let silent = try SilentListener()
        let adapter = PayPalPayoutsAdapter(httpClient: AdapterFixtures.client)
        let error = await assertProviderError(.unavailable, code: "timeout") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(silent.baseURL, timeout: .milliseconds(200)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, false)
    }
}
