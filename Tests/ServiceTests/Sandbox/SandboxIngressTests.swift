import Contracts
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// The sandbox's webhooks through Coffer's real ingress: every provider's signature is accepted by
/// ingress's verifiers (PayPal with the sandbox's certificate pinned), and the normalized events carry
/// the exact amounts and Coffer's ids.
final class SandboxIngressTests: XCTestCase {
    func testIngressAcceptsAndNormalizesEveryProvidersWebhooks() async throws {
        let ingress = try await IngressHarness.start()
        let sandbox = try await SandboxHarness.start()
        let tenant = try await ingress.createTenant()
        let certificate = try await sandbox.send(.GET, "/_sandbox/paypal/certificate").bodyText
        let stripeSecret = SandboxHarness.unique("whsec_")
        let razorpaySecret = SandboxHarness.unique("rzp_wh_")
        let paypalWebhookID = SandboxHarness.unique("WH-")
        try await ingress.upsertConnector(
            tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": stripeSecret])
        try await ingress.upsertConnector(
            tenantID: tenant, provider: .razorpay, secrets: ["webhook_secret": razorpaySecret])
        try await ingress.upsertConnector(
            tenantID: tenant, provider: .paypal, secrets: [:], webhookID: paypalWebhookID,
            certificates: [certificate])

        let stripeKey = SandboxHarness.unique("sk_test_")
        try await sandbox.control(
            .POST, "/_sandbox/accounts",
            [
                "provider": "stripe", "secret_key": .string(stripeKey), "webhook_secret": .string(stripeSecret),
                "webhook_url": .string(ingress.baseURL + "/webhooks/stripe/" + tenant),
            ], expect: 201)
        let razorpayID = SandboxHarness.unique("rzp_test_")
        try await sandbox.control(
            .POST, "/_sandbox/accounts",
            [
                "provider": "razorpay", "key_id": .string(razorpayID), "key_secret": "secret-0123456789",
                "webhook_secret": .string(razorpaySecret),
                "webhook_url": .string(ingress.baseURL + "/webhooks/razorpay/" + tenant),
            ], expect: 201)
        let paypal = SandboxHarness.PayPalAccount(
            clientID: SandboxHarness.unique("AZ"), clientSecret: "paypal-secret-0123", webhookID: paypalWebhookID)
        try await sandbox.control(
            .POST, "/_sandbox/accounts",
            [
                "provider": "paypal", "client_id": .string(paypal.clientID),
                "client_secret": .string(paypal.clientSecret),
                "webhook_id": .string(paypalWebhookID),
                "webhook_url": .string(ingress.baseURL + "/webhooks/paypal/" + tenant),
            ], expect: 201)

        let (stripeResponse, _) = try await sandbox.stripe(
            .POST, "/v1/payment_intents", key: stripeKey,
            form: [
                ("amount", "1050"), ("currency", "usd"), ("confirm", "true"),
                ("metadata[coffer_payment_id]", "pay_01E2ESTRIPE"),
            ],
            idempotencyKey: "e2e-stripe")
        XCTAssertEqual(stripeResponse.status, .ok)
        let (razorpayResponse, _) = try await sandbox.razorpay(
            .POST, "/v1/orders", keyID: razorpayID, keySecret: "secret-0123456789",
            json: ["amount": 50_000, "currency": "INR", "receipt": "pay_01E2ERAZOR"])
        XCTAssertEqual(razorpayResponse.status, .ok)
        let token = try await sandbox.paypalToken(paypal)
        let (_, order) = try await sandbox.paypal(
            .POST, "/v2/checkout/orders", token: token,
            json: [
                "intent": "CAPTURE",
                "purchase_units": [
                    ["custom_id": "pay_01E2EPAYPAL", "amount": ["currency_code": "USD", "value": "10.50"]]
                ],
            ])
        let orderID = try XCTUnwrap(order["id"]?.stringValue)
        try await sandbox.eventually("the payer approved") {
            try await sandbox.paypal(.GET, "/v2/checkout/orders/\(orderID)", token: token).1["status"] == "APPROVED"
        }
        let (captured, _) = try await sandbox.paypal(.POST, "/v2/checkout/orders/\(orderID)/capture", token: token)
        XCTAssertEqual(captured.status, .created)

        // Stripe: charge.succeeded + payment_intent.succeeded; Razorpay: payment.authorized, payment.captured,
        // order.paid; PayPal: CHECKOUT.ORDER.APPROVED, PAYMENT.CAPTURE.COMPLETED — all delivered and accepted.
        try await sandbox.eventually("every webhook delivered", timeout: .seconds(20)) {
            let records = try await sandbox.webhookRecords("")
            return records.count == 7 && records.allSatisfy { $0["status"] == "delivered" }
        }
        let records = try await sandbox.webhookRecords("")
        XCTAssertTrue(
            records.allSatisfy { $0["attempts"]?.int64Value == 1 }, "accepted at the first attempt: \(records)")
        let attempts = try await ingress.adminGet("/admin/attempts?tenant_id=\(tenant)")
        let outcomes = attempts["data"]?.arrayValue?.compactMap { $0["outcome"]?.stringValue } ?? []
        XCTAssertEqual(outcomes.count, 7)
        XCTAssertTrue(outcomes.allSatisfy { $0 == "accepted" }, "\(outcomes)")

        try await ingress.waitForDeliveries(5)
        let captures = ingress.consumer.applied.withLock { events in
            events.filter { $0.type == "provider.payment.captured" }
        }
        func capture(_ cofferID: String) -> EventEnvelope? {
            captures.first { $0.data["coffer_id"]?.stringValue == cofferID }
        }
        XCTAssertEqual(capture("pay_01E2ESTRIPE")?.data["amount"]?.int64Value, 1050)
        XCTAssertEqual(capture("pay_01E2ESTRIPE")?.data["currency"], "USD")
        XCTAssertEqual(capture("pay_01E2ERAZOR")?.data["amount"]?.int64Value, 50_000)
        XCTAssertEqual(capture("pay_01E2ERAZOR")?.data["currency"], "INR")
        XCTAssertEqual(capture("pay_01E2EPAYPAL")?.data["amount"]?.int64Value, 1050, "PayPal's \"10.50\" exactly")
        await sandbox.stop()
        await ingress.stop()
    }
}
