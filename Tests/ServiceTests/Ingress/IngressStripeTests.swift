import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Stripe webhooks through a real ingress process: every accept and reject path, and the hand-off.
final class IngressStripeTests: XCTestCase {
    func testStripeWebhookIsVerifiedStoredDeduplicatedAndForwarded() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(
            tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_test_current"])
        let body = ProviderSigning.stripeEvent(id: "evt_1Abc", amount: 1050, cofferID: "pay_01ABC")
        let path = "/webhooks/stripe/\(tenant)"

        let (first, firstJSON) = try await harness.send(
            path, body: body, headers: ProviderSigning.stripe(secret: "whsec_test_current", body: body))
        XCTAssertEqual(first.status, .ok, first.bodyText)
        XCTAssertEqual(firstJSON?["received"], true)
        XCTAssertEqual(firstJSON?["duplicate"], false)
        let id = try XCTUnwrap(firstJSON?["id"]?.stringValue)
        XCTAssertTrue(CofferID.isValid(id, prefix: .event))

        // The provider retries: same event, new signature time → acknowledged as a duplicate, same id.
        let (again, againJSON) = try await harness.send(
            path, body: body, headers: ProviderSigning.stripe(secret: "whsec_test_current", body: body))
        XCTAssertEqual(again.status, .ok)
        XCTAssertEqual(againJSON?["duplicate"], true)
        XCTAssertEqual(againJSON?["id"]?.stringValue, id)
        let stored = try await harness.count("SELECT count(*) FROM ingress.webhook_events")
        XCTAssertEqual(stored, 1)

        try await harness.waitForDeliveries(1)
        let delivered = try XCTUnwrap(harness.consumer.applied.withLock { $0.first })
        XCTAssertEqual(delivered.id, id)
        XCTAssertEqual(delivered.type, "provider.payment.captured")
        XCTAssertEqual(delivered.source, "ingress")
        XCTAssertEqual(delivered.tenantID, tenant)
        XCTAssertEqual(delivered.data["amount"]?.int64Value, 1050)
        XCTAssertEqual(delivered.data["currency"], "USD")
        XCTAssertEqual(delivered.data["coffer_id"], "pay_01ABC")
        XCTAssertEqual(delivered.data["provider_event_id"], "evt_1Abc")
        XCTAssertEqual(delivered.data["needs_confirmation"], false)
        XCTAssertEqual(delivered.correlationID, first.headers["X-Correlation-ID"])

        var detail = try await harness.adminGet("/admin/events/\(id)")
        for _ in 0..<50 where detail["status"] != "delivered" {
            // The consumer applies the event just before the relay records the delivery.
            try await Task.sleep(for: .milliseconds(50))
            detail = try await harness.adminGet("/admin/events/\(id)")
        }
        XCTAssertEqual(detail["raw_body"]?.stringValue.map { Array($0.utf8) }, body, "raw bytes kept exactly")
        XCTAssertEqual(detail["status"], "delivered")
        XCTAssertEqual(detail.value(at: "deliveries.0.subscriber"), "payments")
        XCTAssertNil(detail.value(at: "headers.stripe-signature"), "the signature is not stored")
        let attempts = try await harness.adminGet("/admin/attempts?tenant_id=\(tenant)")
        XCTAssertEqual(
            attempts["data"]?.arrayValue?.compactMap { $0["outcome"]?.stringValue }.sorted(), ["accepted", "duplicate"])
        await harness.stop()
    }

    func testEveryRejectionHasItsStatusCodeAndIsLogged() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(
            tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_good"])
        let body = ProviderSigning.stripeEvent()
        let path = "/webhooks/stripe/\(tenant)"
        func expect(
            _ headers: HTTPHeaders, body: [UInt8], _ status: Int, _ code: String, path: String? = nil,
            line: UInt = #line
        ) async throws {
            let (response, json) = try await harness.send(
                path ?? "/webhooks/stripe/\(tenant)", body: body, headers: headers)
            XCTAssertEqual(response.status.code, status, response.bodyText, line: line)
            XCTAssertEqual(json?.value(at: "error.code")?.stringValue, code, line: line)
            XCTAssertNotNil(json?.value(at: "error.request_id")?.stringValue, line: line)
        }
        var tampered = body
        tampered[tampered.count - 3] ^= 0x01
        try await expect(
            ProviderSigning.stripe(secret: "whsec_good", body: body), body: tampered, 401, "invalid_signature")
        try await expect(
            ProviderSigning.stripe(secret: "whsec_wrong", body: body), body: body, 401, "invalid_signature")
        try await expect(
            ProviderSigning.stripe(
                secret: "whsec_good", body: body, timestamp: Int64(Date().timeIntervalSince1970) - 301),
            body: body, 401, "timestamp_out_of_tolerance")
        try await expect(
            ProviderSigning.stripe(
                secret: "whsec_good", body: body, timestamp: Int64(Date().timeIntervalSince1970) + 3600),
            body: body, 401, "timestamp_out_of_tolerance")
        try await expect([:], body: body, 401, "missing_signature")
        try await expect(["Stripe-Signature": "garbage"], body: body, 401, "invalid_signature")
        let notJSON = Array("not json".utf8)
        try await expect(
            ProviderSigning.stripe(secret: "whsec_good", body: notJSON), body: notJSON, 400, "malformed_payload")
        try await expect(
            ProviderSigning.stripe(secret: "whsec_good", body: body), body: body, 404, "unknown_tenant",
            path: "/webhooks/stripe/\(CofferID.generate(.tenant))")
        try await expect(
            ProviderSigning.stripe(secret: "whsec_good", body: body), body: body, 404, "unknown_tenant",
            path: "/webhooks/stripe/nope")
        try await expect(
            ProviderSigning.stripe(secret: "whsec_good", body: body), body: body, 404, "unknown_provider",
            path: "/webhooks/squareup/\(tenant)")
        try await expect(
            ProviderSigning.razorpay(secret: "x", body: body), body: body, 404, "unknown_connector",
            path: "/webhooks/razorpay/\(tenant)")
        let huge = Array(repeating: UInt8(ascii: "a"), count: 600 * 1024)
        let (tooLarge, _) = try await harness.send(
            path, body: huge, headers: ProviderSigning.stripe(secret: "whsec_good", body: huge))
        XCTAssertEqual(tooLarge.status.code, 413)

        await XCTAssertEqualAsync(
            try await harness.count("SELECT count(*) FROM ingress.webhook_events"), 0, "nothing refused was stored")
        try await Task.sleep(for: .milliseconds(300))
        let attempts = try await harness.adminGet("/admin/attempts?limit=100")
        let reasons = attempts["data"]?.arrayValue?.compactMap { $0["reason"]?.stringValue } ?? []
        for reason in [
            "invalid_signature", "timestamp_out_of_tolerance", "missing_signature", "malformed_payload",
            "unknown_tenant",
            "unknown_provider", "unknown_connector", "body_too_large",
        ] {
            XCTAssertTrue(reasons.contains(reason), "attempts log lacks \(reason): \(reasons)")
        }
        for attempt in attempts["data"]?.arrayValue ?? [] {
            XCTAssertNil(attempt["signature"])
            XCTAssertFalse(attempt.jsonString.contains("whsec_"), "no secret in the attempts log")
        }
        XCTAssertFalse(harness.process.output.contains("whsec_good"), "no secret in the logs")
        await harness.stop()
    }

    func testPreviousSecretWorksDuringRotationAndNotAfterItExpires() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        let connector = try await harness.upsertConnector(
            tenantID: tenant, provider: .stripe,
            secrets: ["webhook_secret": "whsec_new", "previous_webhook_secret": "whsec_old"],
            previousSecretExpiresAt: Date().addingTimeInterval(3600))
        let path = "/webhooks/stripe/\(tenant)"
        let old = ProviderSigning.stripeEvent()
        await XCTAssertEqualAsync(
            try await harness.send(path, body: old, headers: ProviderSigning.stripe(secret: "whsec_old", body: old)).0
                .status, .ok)
        let new = ProviderSigning.stripeEvent()
        await XCTAssertEqualAsync(
            try await harness.send(path, body: new, headers: ProviderSigning.stripe(secret: "whsec_new", body: new)).0
                .status, .ok)
        // The grace period ends: the old secret stops working (after the copy's one-second cache).
        try await harness.upsertConnector(
            tenantID: tenant, provider: .stripe,
            secrets: ["webhook_secret": "whsec_new", "previous_webhook_secret": "whsec_old"],
            connectorID: connector, previousSecretExpiresAt: Date().addingTimeInterval(-1), version: 2)
        try await Task.sleep(for: .milliseconds(1100))
        let late = ProviderSigning.stripeEvent()
        let (refused, json) = try await harness.send(
            path, body: late, headers: ProviderSigning.stripe(secret: "whsec_old", body: late))
        XCTAssertEqual(refused.status, .unauthorized)
        XCTAssertEqual(json?.value(at: "error.code"), "invalid_signature")
        // A late, older version of the connector does not roll the secret back.
        try await harness.upsertConnector(
            tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_old"],
            connectorID: connector, version: 1)
        try await Task.sleep(for: .milliseconds(1100))
        let after = ProviderSigning.stripeEvent()
        await XCTAssertEqualAsync(
            try await harness.send(path, body: after, headers: ProviderSigning.stripe(secret: "whsec_old", body: after))
                .0.status,
            .unauthorized)
        await harness.stop()
    }
}
