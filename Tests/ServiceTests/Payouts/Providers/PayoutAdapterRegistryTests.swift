import Contracts
import HTTP
import ProviderKit
import Shared
import XCTest

@testable import Payouts

/// The registry hands out one working payout adapter per provider, each paying to its own destinations.
final class PayoutAdapterRegistryTests: XCTestCase {
    func testEveryRegisteredAdapterTalksToItsOwnProvider() async throws {
        let paypalTokens = AdapterPayPalTokens()
        let momoTokens = MoMoFakeTokens()
        let server = try await AdapterProviderServer([
            .json(.GET, "/v1/payouts/{id}", PayoutAdapterRazorpayXTests.payout(id: "pout_9", status: "processed")),
            .json(.GET, "/v1/transfers/{id}", PayoutAdapterStripeTests.transfer(id: "tr_9")),
            paypalTokens.route,
            paypalTokens.authenticated(
                .GET, "/v1/payments/payouts/{id}",
                PayoutAdapterPayPalTests.batch(items: [PayoutAdapterPayPalTests.item(status: "SUCCESS")])),
            momoTokens.route,
            // MTN (bearer token) and Zamtel (bearer key, assumed) share the MoMo path.
            .json(.GET, "/disbursement/v1_0/transfer/{id}", PayoutAdapterMTNTests.transfer(status: "SUCCESSFUL")),
            AdapterProviderServer.Route(method: .POST, template: "/auth/oauth2/token") { _, _, _ in
                AdapterReply.json(.ok, #"{"access_token":"airtel-token","expires_in":3600,"token_type":"bearer"}"#)
            },
            .json(
                .GET, "/standard/v1/disbursements/{id}",
                PayoutAdapterAirtelTests.answer(status: "TS", code: "DP00900001001")),
        ])
        let adapters = PayoutProviderAdapters.make(httpClient: AdapterFixtures.client)
        XCTAssertEqual(Set(adapters.keys), [.razorpay, .stripe, .paypal, .mtn, .airtel, .zamtel])
        XCTAssertNil(adapters[.phonepe], "no PhonePe payouts API was found, so none is invented")
        let cases: [(ProviderName, String, [String: String], Set<PayoutDestination.Kind>)] = [
            (
                .razorpay, "pout_9", ["key_id": "k", "key_secret": "s", "account_number": "2323230041626905"],
                [.bankAccount, .upi]
            ),
            (.stripe, "tr_9", ["secret_key": "sk_test_x"], [.stripeAccount]),
            (.paypal, "5UXD2E8A7EBQJ", ["client_id": "a", "client_secret": "b"], [.paypal]),
            (
                .mtn, "10eaaa66-b234-44e1-af6b-01515244a703",
                ["subscription_key": "k", "api_user": "u", "api_key": "p"], [.mobileMoney]
            ),
            (
                .airtel, "po_airtel_1", ["client_id": "a", "client_secret": "b", "country": "ZM", "currency": "ZMW"],
                [.mobileMoney]
            ),
            (.zamtel, "10eaaa66-b234-44e1-af6b-01515244a703", ["api_key": "k", "shortcode": "500123"], [.mobileMoney]),
        ]
        for (provider, id, credentials, destinations) in cases {
            let adapter = try XCTUnwrap(adapters[provider])
            XCTAssertEqual(adapter.provider, provider)
            XCTAssertEqual(adapter.destinations, destinations, "\(provider)")
            let state = try await adapter.fetch(
                providerPayoutID: id, reference: "po_x",
                connector: AdapterFixtures.connector(provider, base: server.baseURL, credentials: credentials))
            XCTAssertEqual(state?.status, .processed, "\(provider)")
        }
        let bearers = server.requests("GET", "/disbursement/v1_0/transfer/10eaaa66-b234-44e1-af6b-01515244a703")
            .map { $0.headers["Authorization"] }
        XCTAssertEqual(bearers, ["Bearer momo-token-0", "Bearer k"])
        XCTAssertEqual(momoTokens.issuedCount, 1)
        await server.stop()
    }
}
