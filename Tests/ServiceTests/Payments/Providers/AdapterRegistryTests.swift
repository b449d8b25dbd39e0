import Contracts
import HTTP
import Shared
import XCTest

@testable import Payments

/// The registry hands out one working adapter per provider.
final class AdapterRegistryTests: XCTestCase {
    func testEveryRegisteredAdapterTalksToItsOwnProvider() async throws {
        let tokens = AdapterPayPalTokens()
        let server = try await AdapterProviderServer([
            .json(
                .GET, "/v1/payment_intents/{id}",
                AdapterStripeTests.intent(id: "pi_9", status: "succeeded", received: 1050)),
            .json(.GET, "/v1/payments/{id}", AdapterRazorpayTests.payment(id: "pay_9", status: "authorized")),
            tokens.route,
            tokens.authenticated(.GET, "/v2/checkout/orders/{id}", PayPalBodies.order("ORDER9", status: "VOIDED")),
        ])
        let adapters = PaymentProviderAdapters.make(httpClient: AdapterFixtures.client)
        XCTAssertEqual(Set(adapters.keys), [.stripe, .razorpay, .paypal])
        let cases: [(ProviderName, String, [String: String], ProviderPaymentState.Status)] = [
            (.stripe, "pi_9", ["secret_key": "sk_test_x"], .captured),
            (.razorpay, "pay_9", ["key_id": "rzp_test_x", "key_secret": "y"], .authorized),
            (.paypal, "ORDER9", ["client_id": "a", "client_secret": "b"], .canceled),
        ]
        for (provider, id, credentials, expected) in cases {
            let adapter = try XCTUnwrap(adapters[provider])
            XCTAssertEqual(adapter.provider, provider)
            let state = try await adapter.fetchPayment(
                id, connector: AdapterFixtures.connector(provider, base: server.baseURL, credentials: credentials))
            XCTAssertEqual(state.status, expected, "\(provider)")
        }
        XCTAssertEqual(
            server.requests.map(\.target),
            ["/v1/payment_intents/pi_9", "/v1/payments/pay_9", "/v1/oauth2/token", "/v2/checkout/orders/ORDER9"])
        await server.stop()
    }
}
