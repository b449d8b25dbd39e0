import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// The whole path through the real processes: a payment on the sandbox's Stripe, its signed webhook
/// to the real ingress, verified and handed to payments, captured and fulfilled once — also when the
/// provider duplicates and reorders its webhooks — then partial and full refunds.
final class PaymentsEndToEndTests: XCTestCase {
    var harness: PaymentsHarness!

    override func setUp() async throws { harness = try await PaymentsHarness.start(sandbox: true, realIngress: true) }
    override func tearDown() async throws { await harness?.stop() }

    private func status(_ id: String, _ tenant: PaymentsHarness.Tenant) async -> String? {
        (try? await harness.payment(id, tenant))?["status"]?.stringValue
    }

    private func fulfillments(_ tenant: PaymentsHarness.Tenant) async throws -> [String: Int64] {
        try await harness.withSuperuserPool { pool in
            var counts: [String: Int64] = [:]
            for row in try await pool.query(
                """
                SELECT payment_id, count(*) FROM payments.fulfillments WHERE tenant_id = \(tenant.id) GROUP BY payment_id
                """)
            {
                let (payment, count) = try row.decode((String, Int64).self)
                counts[payment] = count
            }
            return counts
        }
    }

    /// Waits until ingress holds the tenant's connector (payments' relay delivers it).
    private func waitForIngressCopy(_ tenant: PaymentsHarness.Tenant) async throws {
        let copied = await eventually(timeout: .seconds(15)) {
            (try? await self.harness.withSuperuserPool { pool in
                try await pool.query("SELECT count(*) FROM ingress.connectors WHERE tenant_id = \(tenant.id)").first?
                    .decode(Int64.self, at: 0)
            }) == 1
        }
        XCTAssertTrue(copied, "ingress received the connector")
    }

    func testCustomerActionWebhookCapturesAndFulfilsOnce() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant, webhooks: true)
        try await waitForIngressCopy(tenant)
        let created = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: [
                "amount": 2599, "currency": "USD", "payment_method": "pm_card_threeDSecure2Required",
                "return_url": "https://shop.example/done",
            ])
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created["status"]?.stringValue, "requires_action")
        XCTAssertEqual(created["next_action"]?["type"]?.stringValue, "redirect_to_url")
        XCTAssertTrue(
            created["next_action"]?["redirect_to_url"]?["url"]?.stringValue?.contains("/stripe/authenticate/") ?? false,
            created.text)
        // The sandbox plays the customer after a moment; only the webhook tells payments.
        let captured = await eventually(timeout: .seconds(20)) { await self.status(created.id, tenant) == "captured" }
        XCTAssertTrue(captured)
        let payment = try await harness.payment(created.id, tenant)
        XCTAssertEqual(payment["fulfillment"]?["status"]?.stringValue, "fulfilled")
        let counts = try await fulfillments(tenant)
        XCTAssertEqual(counts[created.id], 1)
        let verified = try await harness.withSuperuserPool { pool in
            try await pool.query(
                """
                SELECT count(*) FROM ingress.webhook_events WHERE tenant_id = \(tenant.id) AND verification = 'signature'
                """
            ).first?.decode(Int64.self, at: 0) ?? 0
        }
        XCTAssertGreaterThan(verified, 0, "the webhooks were verified by ingress")
    }

    func testDuplicatedAndReorderedWebhooksStillFulfilEachPaymentOnce() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant, webhooks: true)
        try await waitForIngressCopy(tenant)
        try await harness.misbehave("stripe", ["webhook_duplicates": 2, "webhook_reorder": true])
        var ids: [String] = []
        for index in 0..<5 {
            let created = try await harness.call(
                .POST, "/v1/payments", bearer: tenant.key,
                json: [
                    "amount": .int(Int64(1000 + index)), "currency": "USD", "capture_method": "manual",
                ])
            XCTAssertEqual(created["status"]?.stringValue, "authorized", created.text)
            let captured = try await harness.call(.POST, "/v1/payments/\(created.id)/capture", bearer: tenant.key)
            XCTAssertEqual(captured.status, 200, captured.text)
            ids.append(created.id)
        }
        // And payments whose capture only the (duplicated, reordered) webhooks report.
        var webhookOnly: [String] = []
        for _ in 0..<3 {
            let created = try await harness.call(
                .POST, "/v1/payments", bearer: tenant.key,
                json: [
                    "amount": 3100, "currency": "USD", "payment_method": "pm_card_threeDSecure2Required",
                ])
            XCTAssertEqual(created["status"]?.stringValue, "requires_action", created.text)
            webhookOnly.append(created.id)
        }
        try await Task.sleep(for: .milliseconds(600))
        try await harness.sandboxControl(.POST, "/_sandbox/webhooks/flush")
        let settled = await eventually(timeout: .seconds(20)) {
            var all = true
            for id in webhookOnly where await self.status(id, tenant) != "captured" { all = false }
            return all
        }
        XCTAssertTrue(settled, "the reordered, duplicated webhooks captured every payment")
        ids += webhookOnly
        try await harness.sandboxControl(.POST, "/_sandbox/webhooks/flush")
        // Every webhook (3 copies each, newest first) reaches ingress and then payments.
        let delivered = await eventually(timeout: .seconds(20)) {
            let rows = try? await self.harness.withSuperuserPool { pool in
                try await pool.query(
                    """
                    SELECT count(*) FROM ingress.webhook_events WHERE tenant_id = \(tenant.id) AND delivery_status = 'delivered'
                    """
                ).first?.decode(Int64.self, at: 0)
            }
            let sent = try? await self.harness.sandboxControl(.GET, "/_sandbox/webhooks?provider=stripe&status=held")
            return (rows ?? 0) > 0 && (sent?["data"]?.arrayValue?.isEmpty ?? false)
        }
        XCTAssertTrue(delivered)
        try await Task.sleep(for: .seconds(1))
        let counts = try await fulfillments(tenant)
        for id in ids {
            XCTAssertEqual(counts[id], 1, "payment \(id)")
            let status = await self.status(id, tenant)
            XCTAssertEqual(status, "captured")
        }
        let duplicates = try await harness.withSuperuserPool { pool in
            try await pool.query(
                "SELECT count(*) FROM ingress.webhook_attempts_log WHERE tenant_id = \(tenant.id) AND outcome = 'duplicate'"
            )
            .first?.decode(Int64.self, at: 0) ?? 0
        }
        XCTAssertGreaterThan(duplicates, 0, "ingress saw and dropped the duplicates")
        XCTAssertEqual(harness.published("payment.captured").count, 8, "one payment.captured per payment")
    }

    func testRefundsThroughTheWholeStackRevokeTheFulfilmentOnTheLastOne() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant, webhooks: true)
        try await waitForIngressCopy(tenant)
        let payment = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 9000, "currency": "USD"])
        XCTAssertEqual(payment["status"]?.stringValue, "captured")
        let partial = try await harness.call(
            .POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: ["amount": 4000])
        XCTAssertEqual(partial["status"]?.stringValue, "succeeded", partial.text)
        let rest = try await harness.call(.POST, "/v1/payments/\(payment.id)/refunds", bearer: tenant.key, json: [:])
        XCTAssertEqual(rest["status"]?.stringValue, "succeeded", rest.text)
        // The provider's refund webhooks arrive after the API answers: they change nothing more.
        let webhooks = await eventually(timeout: .seconds(20)) {
            ((try? await self.harness.withSuperuserPool { pool in
                try await pool.query(
                    """
                    SELECT count(*) FROM ingress.webhook_events
                    WHERE tenant_id = \(tenant.id) AND normalized_type = 'provider.refund.succeeded' AND delivery_status = 'delivered'
                    """
                ).first?.decode(Int64.self, at: 0)
            }) ?? 0) >= 2
        }
        XCTAssertTrue(webhooks)
        let final = try await harness.payment(payment.id, tenant)
        XCTAssertEqual(final["status"]?.stringValue, "refunded")
        XCTAssertEqual(final["amount_refunded"]?.int64Value, 9000)
        XCTAssertEqual(final["fulfillment"]?["status"]?.stringValue, "revoked")
        let refunds = try await harness.call(.GET, "/v1/refunds?payment_id=\(payment.id)", bearer: tenant.key)
        XCTAssertEqual(refunds["data"]?.arrayValue?.count, 2, "webhooks about Coffer's own refunds book nothing new")
        let balances = try await harness.ledgerBalances(tenantID: tenant.id)
        XCTAssertEqual(balances.values.reduce(0, +), 0)
        XCTAssertEqual(balances["provider_clearing"], 0)
        let summary = try await harness.operationsSummary()
        XCTAssertEqual(summary["clean"]?.boolValue, true, summary.serializedText)
    }

    func testPayPalAndRazorpayCheckoutsCompleteThroughTheirWebhooks() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectPayPal(tenant, priority: 1, webhooks: true)
        try await harness.connectRazorpay(tenant, priority: 2, webhooks: true)
        let copied = await eventually(timeout: .seconds(15)) {
            (try? await self.harness.withSuperuserPool { pool in
                try await pool.query("SELECT count(*) FROM ingress.connectors WHERE tenant_id = \(tenant.id)").first?
                    .decode(Int64.self, at: 0)
            }) == 2
        }
        XCTAssertTrue(copied)
        let paypal = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: [
                "amount": 4250, "currency": "USD", "provider": "paypal", "return_url": "https://shop.example/back",
            ])
        XCTAssertEqual(paypal["status"]?.stringValue, "requires_action", paypal.text)
        XCTAssertTrue(paypal["next_action"]?["url"]?.stringValue?.contains("/paypal/checkoutnow") ?? false, paypal.text)
        let razorpay = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: [
                "amount": 50_000, "currency": "INR", "provider": "razorpay",
            ])
        XCTAssertEqual(razorpay["status"]?.stringValue, "requires_action", razorpay.text)
        // The buyer approves at PayPal (the sandbox plays it): the approval webhook authorizes the order,
        // Coffer captures it at once; Razorpay captures by itself and says so.
        let paypalCaptured = await eventually(timeout: .seconds(20)) {
            await self.status(paypal.id, tenant) == "captured"
        }
        let paypalNow = try await harness.payment(paypal.id, tenant)
        XCTAssertTrue(paypalCaptured, "PayPal: \(paypalNow.text)")
        let razorpayCaptured = await eventually(timeout: .seconds(20)) {
            await self.status(razorpay.id, tenant) == "captured"
        }
        XCTAssertTrue(razorpayCaptured)
        let counts = try await fulfillments(tenant)
        XCTAssertEqual(counts[paypal.id], 1)
        XCTAssertEqual(counts[razorpay.id], 1)
        let captures = try await harness.operations("kind=capture&provider=paypal")
        XCTAssertEqual(captures.count, 1, "Coffer captured the approved order once")
        let summary = try await harness.operationsSummary()
        XCTAssertEqual(summary["clean"]?.boolValue, true, summary.serializedText)
    }
}
