import Foundation
import HTTP
import ProviderKit
import Shared
import XCTest

@testable import Payouts

/// The Stripe transfers adapter against a fake Stripe over real HTTP.
final class PayoutAdapterStripeTests: XCTestCase {
    let secret = "sk_test_51PayoutSecretValue"
    let adapter = StripeTransferAdapter(httpClient: AdapterFixtures.client)
    let seller = PayoutDestination.stripeAccount(accountID: "acct_1Seller42")

    func connector(_ base: String, timeout: Duration = .seconds(5)) -> ProviderConnector {
        AdapterFixtures.connector(.stripe, base: base, credentials: ["secret_key": secret], timeout: timeout)
    }

    func request(narration: String? = "June sales & co = 100%") -> ProviderPayoutRequest {
        PayoutFixtures.request(
            id: "po_stripe_1", amount: Money(minorUnits: 1050, currency: .usd), destination: seller,
            narration: narration,
            key: "po_stripe_1")
    }

    static func transfer(
        id: String = "tr_1", amount: Int64 = 1050, reversed: Bool = false, amountReversed: Int64 = 0,
        group: String = "po_stripe_1", created: Int64 = 1_700_000_000
    ) -> String {
        """
        {"id":"\(id)","object":"transfer","amount":\(amount),"amount_reversed":\(amountReversed),"currency":"usd",
         "destination":"acct_1Seller42","reversed":\(reversed),"transfer_group":"\(group)","created":\(created),
         "metadata":{"coffer_payout_id":"\(group)"},"livemode":false}
        """
    }

    // MARK: Send

    func testSendPostsATransferFormWithTheKeyAndACreatedTransferIsProcessed() async throws {
        let server = try await AdapterProviderServer([.json(.POST, "/v1/transfers", Self.transfer())])
        let state = try await adapter.send(request(), connector: connector(server.baseURL))

        XCTAssertEqual(
            state,
            ProviderPayoutState(
                providerPayoutID: "tr_1", status: .processed, amount: 1050, currency: .usd, rawStatus: "created"))
        XCTAssertEqual(server.requests.count, 1)
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.method, "POST")
        XCTAssertEqual(sent.target, "/v1/transfers")
        XCTAssertEqual(sent.headers["Authorization"], "Bearer \(secret)")
        XCTAssertEqual(sent.headers["Stripe-Version"], "2024-06-20")
        XCTAssertEqual(sent.headers["Idempotency-Key"], "po_stripe_1")
        XCTAssertEqual(sent.headers["Content-Type"], "application/x-www-form-urlencoded")
        XCTAssertEqual(
            sent.form.map { "\($0.key)=\($0.value)" },
            [
                "amount=1050", "currency=usd", "destination=acct_1Seller42", "transfer_group=po_stripe_1",
                "description=June sales & co = 100%", "metadata[coffer_payout_id]=po_stripe_1",
            ])
        XCTAssertTrue(sent.bodyText.contains("description=June%20sales%20%26%20co%20%3D%20100%25&"), sent.bodyText)

        _ = try await adapter.send(request(narration: nil), connector: connector(server.baseURL))
        XCTAssertNil(server.requests.last?.formValue("description"))
        await server.stop()
    }

    func testOnlyConnectedAccountsArePaidAndNothingElseIsSent() async throws {
        let server = try await AdapterProviderServer([])
        await assertProviderError(.invalidRequest, code: "destination_unsupported") { () async throws(ProviderError) in
            try await adapter.send(
                PayoutFixtures.request(destination: PayoutFixtures.bank), connector: connector(server.baseURL))
        }
        await assertProviderError(.authentication, code: "missing_credentials") { () async throws(ProviderError) in
            try await adapter.send(
                request(), connector: AdapterFixtures.connector(.stripe, base: server.baseURL, credentials: [:]))
        }
        XCTAssertEqual(server.requests.count, 0)
        XCTAssertEqual(adapter.destinations, [.stripeAccount])
        await server.stop()
    }

    // MARK: Statuses and lookup

    func testReversalsMap() async throws {
        let bodies = [
            "tr_flag": Self.transfer(id: "tr_flag", reversed: true, amountReversed: 1050),
            "tr_full": Self.transfer(id: "tr_full", amountReversed: 1050),
            "tr_part": Self.transfer(id: "tr_part", amountReversed: 50),
            "tr_none": Self.transfer(id: "tr_none"),
        ]
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/v1/transfers/{id}") { _, context, _ in
                guard let body = bodies[context.parameter("id")] else {
                    return AdapterReply.json(
                        404,
                        #"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such transfer"}}"#
                    )
                }
                return AdapterReply.json(.ok, body)
            }
        ])
        let stripe = connector(server.baseURL)
        let expected: [(String, ProviderPayoutState.Status, String)] = [
            ("tr_flag", .reversed, "reversed"), ("tr_full", .reversed, "reversed"),
            ("tr_part", .processed, "partially_reversed"), ("tr_none", .processed, "created"),
        ]
        for (id, status, raw) in expected {
            let state = try await adapter.fetch(providerPayoutID: id, reference: "po_stripe_1", connector: stripe)
            XCTAssertEqual(state?.status, status, id)
            XCTAssertEqual(state?.rawStatus, raw, id)
        }
        let missing = try await adapter.fetch(providerPayoutID: "tr_gone", reference: "po_stripe_1", connector: stripe)
        XCTAssertNil(missing)
        XCTAssertEqual(server.requests.first?.target, "/v1/transfers/tr_flag")
        XCTAssertTrue(server.requests.allSatisfy { $0.headers["Idempotency-Key"] == nil })
        await server.stop()
    }

    func testLookupByReferenceListsTheTransferGroup() async throws {
        let server = try await AdapterProviderServer([
            AdapterProviderServer.Route(method: .GET, template: "/v1/transfers") { request, _, _ in
                guard request.queryParameters["transfer_group"] == "po_stripe_1" else {
                    return AdapterReply.json(
                        .ok, #"{"object":"list","data":[],"has_more":false,"url":"/v1/transfers"}"#)
                }
                return AdapterReply.json(
                    .ok,
                    """
                    {"object":"list","has_more":false,"url":"/v1/transfers","data":[
                      \(Self.transfer(id: "tr_other", group: "po_other", created: 300)),
                      \(Self.transfer(id: "tr_old", created: 100)),
                      \(Self.transfer(id: "tr_new", created: 200))]}
                    """)
            }
        ])
        let stripe = connector(server.baseURL)
        let found = try await adapter.fetch(providerPayoutID: nil, reference: "po_stripe_1", connector: stripe)
        XCTAssertEqual(found?.providerPayoutID, "tr_new")
        XCTAssertEqual(server.requests.first?.target, "/v1/transfers?transfer_group=po_stripe_1")
        let none = try await adapter.fetch(providerPayoutID: nil, reference: "po_never_sent", connector: stripe)
        XCTAssertNil(none)
        await server.stop()
    }

    // MARK: Balance

    func testBalanceIsTheAvailableAmountInTheCurrency() async throws {
        let server = try await AdapterProviderServer([
            .json(
                .GET, "/v1/balance",
                #"{"object":"balance","livemode":false,"available":[{"amount":120000,"currency":"usd","source_types":{"card":120000}},{"amount":5000,"currency":"eur"}],"pending":[{"amount":999,"currency":"usd"}]}"#
            )
        ])
        let stripe = connector(server.baseURL)
        let usd = try await adapter.balance(currency: .usd, connector: stripe)
        XCTAssertEqual(usd, 120_000)
        let eur = try await adapter.balance(currency: .eur, connector: stripe)
        XCTAssertEqual(eur, 5000)
        let gbp = try await adapter.balance(currency: .gbp, connector: stripe)
        XCTAssertEqual(gbp, 0, "a currency Stripe does not list holds nothing")
        XCTAssertEqual(server.requests.first?.headers["Authorization"], "Bearer \(secret)")
        await server.stop()
    }

    // MARK: Errors

    func testErrorStatusesMapToKindsWithoutRetriesOrLeakedSecrets() async throws {
        let cases: [(HTTPStatus, String, ProviderError.Kind, String?)] = [
            (
                400,
                #"{"error":{"type":"invalid_request_error","code":"parameter_invalid_integer","param":"amount","message":"Invalid integer"}}"#,
                .invalidRequest, "parameter_invalid_integer"
            ),
            (
                400,
                #"{"error":{"type":"invalid_request_error","code":"balance_insufficient","message":"Insufficient funds in Stripe account."}}"#,
                .declined, "balance_insufficient"
            ),
            (
                401, #"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: \#(secret)"}}"#,
                .authentication, "invalid_request_error"
            ),
            (
                409, #"{"error":{"type":"idempotency_error","code":"idempotency_key_in_use","message":"in use"}}"#,
                .timeout, "idempotency_key_in_use"
            ),
            (
                409,
                #"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}}"#,
                .invalidRequest, "idempotency_error"
            ),
            (
                429, #"{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}"#,
                .rateLimited, "rate_limit"
            ),
            (500, #"{"error":{"type":"api_error","message":"Something went wrong"}}"#, .unavailable, "api_error"),
            (503, "<html>Service Unavailable</html>", .unavailable, nil),
        ]
        for (status, body, kind, code) in cases {
            let server = try await AdapterProviderServer([.json(.POST, "/v1/transfers", status: status, body)])
            let error = await assertProviderError(kind) { () async throws(ProviderError) in
                try await adapter.send(request(), connector: connector(server.baseURL))
            }
            XCTAssertEqual(error?.code, code, "\(status)")
            assertNoSecrets(error?.description, [secret])
            XCTAssertEqual(server.requests.count, 1, "\(status): the adapter must not retry")
            await server.stop()
        }
    }

    func testAServerThatNeverAnswersIsATimeout() async throws {
        let silent = try SilentListener()
        let error = await assertProviderError(.timeout, code: "timeout") { () async throws(ProviderError) in
            try await adapter.send(request(), connector: connector(silent.baseURL, timeout: .milliseconds(200)))
        }
        XCTAssertEqual(error?.mayHaveTakenEffect, true)
    }
}
