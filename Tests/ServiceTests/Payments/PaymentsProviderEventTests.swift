import Contracts
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// What ingress hands payments (`provider.*` events through the signed inbox), in every order and
/// repetition providers produce: applied once, forwards only, unsigned hints confirmed first.
final class PaymentsProviderEventTests: XCTestCase {
    var harness: PaymentsHarness!

    override func setUp() async throws { harness = try await PaymentsHarness.start(sandbox: true) }
    override func tearDown() async throws { await harness?.stop() }

    private func providerEvent(
        _ type: ProviderEventType, tenant: PaymentsHarness.Tenant, connectorID: String, objectID: String,
        related: String? = nil, cofferID: String? = nil, amount: Int64?, needsConfirmation: Bool = false,
        failure: String? = nil
    ) throws -> EventEnvelope {
        let data = ProviderEventData(
            provider: "stripe", providerEventID: "evt_" + UUID().uuidString, providerEventType: "test",
            objectType: type.objectType, providerObjectID: objectID, relatedProviderObjectID: related,
            cofferID: cofferID, amount: amount, currency: "USD", status: nil, failureReason: failure, livemode: false,
            needsConfirmation: needsConfirmation, connectorID: connectorID, occurredAt: Date())
        return try EventEnvelope.make(
            type: type.rawValue, source: "ingress", tenantID: tenant.id, correlationID: nil, payload: data)
    }

    private func send(_ events: [EventEnvelope]) async throws {
        let response = try await harness.postEvents(events)
        XCTAssertEqual(response.status, .ok, response.bodyText)
    }

    /// An authorized payment at the sandbox, known to payments: (payment id, provider id, connector id).
    private func authorizedPayment(_ tenant: PaymentsHarness.Tenant, connectorID: String) async throws -> (
        String, String
    ) {
        let payment = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: ["amount": 8000, "currency": "USD", "capture_method": "manual"])
        XCTAssertEqual(payment["status"]?.stringValue, "authorized", payment.text)
        return (payment.id, payment["provider_payment_id"]?.stringValue ?? "")
    }

    func testCapturedBeforeAuthorizedAndStaleFailuresAreSafeAndRepeatsApplyOnce() async throws {
        let tenant = try await harness.createTenant()
        let connector = try await harness.connectStripe(tenant)
        let connectorID = connector.id
        let (paymentID, providerID) = try await authorizedPayment(tenant, connectorID: connectorID)
        let captured = try providerEvent(
            .paymentCaptured, tenant: tenant, connectorID: connectorID, objectID: providerID, amount: 8000)
        try await send([captured])
        try await send([captured])
        let authorizedLate = try providerEvent(
            .paymentAuthorized, tenant: tenant, connectorID: connectorID, objectID: providerID, amount: 8000)
        let failedLate = try providerEvent(
            .paymentFailed, tenant: tenant, connectorID: connectorID, objectID: providerID, amount: nil,
            failure: "card_declined")
        try await send([authorizedLate, failedLate, captured])
        let payment = try await harness.payment(paymentID, tenant)
        XCTAssertEqual(payment["status"]?.stringValue, "captured", payment.text)
        XCTAssertEqual(payment["fulfillment"]?["status"]?.stringValue, "fulfilled")
        let counts = try await harness.withSuperuserPool { pool in
            try await pool.query(
                """
                SELECT (SELECT count(*) FROM payments.fulfillments WHERE payment_id = \(paymentID)),
                       (SELECT count(*) FROM payments.ledger_transactions WHERE reference = \(paymentID))
                """
            ).first?.decode((Int64, Int64).self)
        }
        XCTAssertEqual(counts?.0, 1, "one fulfilment however often and in whatever order the news came")
        XCTAssertEqual(counts?.1, 1, "one capture posting")
        let published = await eventually { self.harness.published("payment.captured").count == 1 }
        XCTAssertTrue(published)
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(harness.published("payment.captured").count, 1)
    }

    func testAnEventFromAnotherConnectorCannotSpeakForAPayment() async throws {
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        let (paymentID, providerID) = try await authorizedPayment(tenant, connectorID: "")
        let forged = try providerEvent(
            .paymentCaptured, tenant: tenant, connectorID: CofferID.generate(.connector), objectID: providerID,
            cofferID: paymentID, amount: 8000)
        try await send([forged])
        let payment = try await harness.payment(paymentID, tenant)
        XCTAssertEqual(payment["status"]?.stringValue, "authorized")
        let parked = try await harness.withSuperuserPool { pool in
            try await pool.query("SELECT reason FROM payments.provider_events_awaiting WHERE event_id = \(forged.id)")
                .first?.decode(String.self, at: 0)
        }
        XCTAssertEqual(parked, "unmatched")
    }

    func testUnsignedHintsWaitForTheProvidersStatusAPI() async throws {
        let tenant = try await harness.createTenant()
        let connector = try await harness.connectStripe(tenant)
        let connectorID = connector.id
        let (paymentID, providerID) = try await authorizedPayment(tenant, connectorID: connectorID)
        // A callback claims the payment was captured; the provider's API says it is only authorized.
        let claim = try providerEvent(
            .paymentCaptured, tenant: tenant, connectorID: connectorID, objectID: providerID, amount: 8000,
            needsConfirmation: true)
        try await send([claim])
        try await Task.sleep(for: .seconds(1))
        var payment = try await harness.payment(paymentID, tenant)
        XCTAssertEqual(payment["status"]?.stringValue, "authorized", "a hint moves no money")
        XCTAssertEqual(payment["fulfillment"], .null)
        // Once the provider really captured it, the same kind of hint is confirmed and applied.
        let capturedAtProvider = try await harness.client.send(
            HTTPClientRequest(
                method: .POST, url: harness.sandboxURL + "/stripe/v1/payment_intents/\(providerID)/capture",
                headers: [
                    "Authorization": "Bearer " + connector.secretKey,
                    "Content-Type": "application/x-www-form-urlencoded",
                ]))
        XCTAssertEqual(capturedAtProvider.status, .ok, capturedAtProvider.bodyText)
        let hint = try providerEvent(
            .paymentCaptured, tenant: tenant, connectorID: connectorID, objectID: providerID, amount: nil,
            needsConfirmation: true)
        try await send([hint])
        let confirmed = await eventually(timeout: .seconds(15)) {
            (try? await self.harness.payment(paymentID, tenant))?["status"]?.stringValue == "captured"
        }
        XCTAssertTrue(confirmed)
        payment = try await harness.payment(paymentID, tenant)
        XCTAssertEqual(
            payment["amount_received"]?.int64Value, 8000, "the amount comes from the provider's API, not the hint")
    }

    func testDisputeHoldsTheAmountAndRefundsMadeAtTheProviderAreBooked() async throws {
        let tenant = try await harness.createTenant(settings: ["fees": ["platform_fee_bps": 1000]])
        let connector = try await harness.connectStripe(tenant)
        let connectorID = connector.id
        let payee = try await harness.upsertPayee(tenantID: tenant.id)
        let payment = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key,
            json: ["amount": 10_000, "currency": "USD", "payee_id": .string(payee)])
        let providerID = try XCTUnwrap(payment["provider_payment_id"]?.stringValue)
        let dispute = try providerEvent(
            .disputeOpened, tenant: tenant, connectorID: connectorID, objectID: "dp_test_1", related: providerID,
            amount: 4000, failure: "fraudulent")
        try await send([dispute, dispute])
        var balances = try await harness.ledgerBalances(tenantID: tenant.id)
        XCTAssertEqual(balances["disputes_held"], -4000)
        XCTAssertEqual(
            balances["payee_payable:\(payee)"], -9000 + 3600, "the payee's share of the disputed amount is held")
        XCTAssertEqual(balances.values.reduce(0, +), 0)
        let opened = await eventually { self.harness.published("dispute.opened").count == 1 }
        XCTAssertTrue(opened)

        // A refund made in the provider's dashboard arrives as a signed webhook: booked, never twice.
        let refund = try providerEvent(
            .refundSucceeded, tenant: tenant, connectorID: connectorID, objectID: "re_dashboard_1", related: providerID,
            amount: 2000)
        try await send([refund, refund])
        let current = try await harness.payment(payment.id, tenant)
        XCTAssertEqual(current["amount_refunded"]?.int64Value, 2000)
        XCTAssertEqual(current["status"]?.stringValue, "partially_refunded")
        let refunds = try await harness.call(.GET, "/v1/refunds?payment_id=\(payment.id)", bearer: tenant.key)
        XCTAssertEqual(refunds["data"]?.arrayValue?.count, 1)
        XCTAssertEqual(refunds["data"]?.arrayValue?.first?["created_by"]?.stringValue, "provider:stripe")
        balances = try await harness.ledgerBalances(tenantID: tenant.id)
        XCTAssertEqual(balances.values.reduce(0, +), 0)
    }
}
