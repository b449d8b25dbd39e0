import Contracts
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Every provider's scheme through a real ingress: a genuine webhook is accepted and forwarded with
/// the right type and confirmation flag; a tampered body, a wrong secret, a missing header are refused.
final class IngressProviderTests: XCTestCase {
    struct Case {
        let provider: ProviderName
        let secrets: [String: String]
        var webhookID: String? = nil
        var saltIndex: Int? = nil
        var certificates: [String]? = nil
        let body: String
        /// Headers for a body, signed with the connector's secret (or a wrong one).
        let sign: (_ body: [UInt8], _ wrongSecret: Bool) throws -> HTTPHeaders
        var pathSuffix: (_ wrong: Bool) -> String = { _ in "" }
        var method: HTTPMethod = .POST
        let expectedType: String
        let needsConfirmation: Bool
        /// Whether a body change is detected (schemes that sign the body), or only the credential checked.
        let bodySigned: Bool
        var missingHeaderCode = "missing_signature"
    }

    func testEveryProviderAcceptsGenuineAndRefusesForgedWebhooks() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        let paypalKey = try RSAPrivateKey.generate()
        let authority = try RSAPrivateKey.generate()
        let now = Date()
        let ca = try X509Certificate.makeSelfSignedAuthority(
            commonName: "Test PayPal CA", key: authority,
            notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86_400))
        let paypalCertificate = try X509Certificate.issue(
            commonName: "messageverificationcerts.paypal.com", publicKey: paypalKey.publicKey,
            issuer: ca, issuerKey: authority, notBefore: now.addingTimeInterval(-3600),
            notAfter: now.addingTimeInterval(86_400))
        let forger = try RSAPrivateKey.generate()
        let v1Response = Base64.encode(
            Array(
                #"{"success":true,"code":"PAYMENT_SUCCESS","data":{"merchantId":"M1","merchantTransactionId":"pay_C1","transactionId":"T1","amount":1000,"state":"COMPLETED"}}"#
                    .utf8))
        let cases: [Case] = [
            Case(
                provider: .razorpay, secrets: ["webhook_secret": "rzp_secret"],
                body:
                    #"{"entity":"event","event":"payment.captured","contains":["payment"],"created_at":1763700000,"payload":{"payment":{"entity":{"id":"pay_R1","amount":5000,"currency":"INR","status":"captured","order_id":"order_1","notes":{"coffer_payment_id":"pay_C1"}}}}}"#,
                sign: { body, wrong in
                    ProviderSigning.razorpay(
                        secret: wrong ? "nope" : "rzp_secret", body: body,
                        eventID: "evt_rzp_\(UUID().uuidString.prefix(8))")
                },
                expectedType: "provider.payment.captured", needsConfirmation: false, bodySigned: true),
            Case(
                provider: .paystack, secrets: ["credentials.secret_key": "sk_test_paystack"],
                body:
                    #"{"event":"charge.success","data":{"id":302961,"domain":"test","status":"success","reference":"pay_C2","amount":20000,"currency":"NGN"}}"#,
                sign: { body, wrong in
                    ProviderSigning.paystack(secretKey: wrong ? "sk_other" : "sk_test_paystack", body: body)
                },
                expectedType: "provider.payment.captured", needsConfirmation: false, bodySigned: true),
            Case(
                provider: .standard, secrets: ["webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
                body:
                    #"{"type":"payout.processed","timestamp":"2026-11-21T10:00:00Z","data":{"object_id":"tr_1","coffer_id":"po_C1","amount":500,"currency":"USD"}}"#,
                sign: { body, wrong in
                    ProviderSigning.standard(
                        secret: wrong
                            ? "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" : "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        id: "msg_\(UUID().uuidString.prefix(8))", body: body)
                },
                expectedType: "provider.payout.processed", needsConfirmation: false, bodySigned: true),
            Case(
                provider: .phonepe, secrets: ["salt_key": "salt-key-1"], saltIndex: 1,
                body: "{\"response\":\"\(v1Response)\"}",
                sign: { _, wrong in
                    ProviderSigning.phonePeV1(
                        saltKey: wrong ? "salt-key-2" : "salt-key-1", saltIndex: 1, response: v1Response)
                },
                expectedType: "provider.payment.captured", needsConfirmation: false, bodySigned: false),
            Case(
                provider: .paypal, secrets: [:], webhookID: "WH-CONFIG-1",
                certificates: [paypalCertificate.pemRepresentation],
                body:
                    #"{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","create_time":"2026-11-21T10:00:00Z","resource":{"id":"CAP1","status":"COMPLETED","amount":{"value":"10.50","currency_code":"USD"},"custom_id":"pay_C3"}}"#,
                sign: { body, wrong in
                    try ProviderSigning.paypal(
                        key: wrong ? forger : paypalKey,
                        certURL: "https://api.paypal.com/v1/notifications/certs/CERT-1",
                        webhookID: "WH-CONFIG-1", body: body)
                },
                expectedType: "provider.payment.captured", needsConfirmation: false, bodySigned: true),
            Case(
                provider: .mtn, secrets: ["callback_token": "mtn-secret-path-token-1234"],
                body:
                    #"{"financialTransactionId":"FT1","externalId":"pay_C4","amount":"100","currency":"EUR","payer":{"partyIdType":"MSISDN","partyId":"46733123453"},"status":"SUCCESSFUL"}"#,
                sign: { _, _ in [:] },
                pathSuffix: { wrong in wrong ? "/not-the-token" : "/mtn-secret-path-token-1234" }, method: .PUT,
                expectedType: "provider.payment.captured", needsConfirmation: true, bodySigned: false,
                missingHeaderCode: "callback_token_required"),
            Case(
                provider: .airtel, secrets: ["callback_token": "airtel-secret-path-token-1234"],
                body: #"{"transaction":{"id":"pay_C5","message":"Paid","status_code":"TS","airtel_money_id":"MP1"}}"#,
                sign: { _, _ in [:] }, pathSuffix: { wrong in wrong ? "/nope" : "/airtel-secret-path-token-1234" },
                expectedType: "provider.payment.captured", needsConfirmation: true, bodySigned: false,
                missingHeaderCode: "callback_token_required"),
            Case(
                provider: .zamtel, secrets: ["callback_token": "zamtel-secret-path-token-1234"],
                body:
                    #"{"financialTransactionId":"Z1","externalId":"po_C6","amount":"25.50","currency":"ZMW","payee":{"partyIdType":"MSISDN","partyId":"260971234567"},"status":"SUCCESSFUL"}"#,
                sign: { _, _ in [:] }, pathSuffix: { wrong in wrong ? "/nope" : "/zamtel-secret-path-token-1234" },
                expectedType: "provider.payout.processed", needsConfirmation: true, bodySigned: false,
                missingHeaderCode: "callback_token_required"),
            Case(
                provider: .ikhokha,
                secrets: ["callback_token": "ikhokha-secret-path-token-12", "webhook_secret": "ik-app-secret"],
                body: #"{"paylinkID":"PL1","status":"SUCCESS","externalTransactionID":"pay_C7","responseCode":"00"}"#,
                sign: { body, wrong in
                    let path = "/webhooks/ikhokha/\(tenant)/ikhokha-secret-path-token-12"
                    // iKhokha escapes backslashes and both quote kinds in path + body before signing.
                    let escaped = (path + String(decoding: body, as: UTF8.self)).replacingOccurrences(
                        of: "\\", with: "\\\\"
                    )
                    .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "'", with: "\\'")
                    let mac = HMAC.sha256(
                        key: Array((wrong ? "other" : "ik-app-secret").utf8), message: Array(escaped.utf8))
                    return ["ik-sign": Hex.encode(mac)]
                }, pathSuffix: { _ in "/ikhokha-secret-path-token-12" },
                expectedType: "provider.payment.captured", needsConfirmation: true, bodySigned: true,
                missingHeaderCode: ""),
            Case(
                provider: .flutterwave, secrets: ["webhook_secret": "flw-secret-hash"],
                body:
                    #"{"event":"charge.completed","data":{"id":285959875,"tx_ref":"pay_C8","flw_ref":"FLW-1","amount":100.5,"currency":"NGN","status":"successful"}}"#,
                sign: { _, wrong in ["verif-hash": wrong ? "not-it" : "flw-secret-hash"] },
                expectedType: "provider.payment.captured", needsConfirmation: true, bodySigned: false),
        ]
        for testCase in cases {
            let name = testCase.provider.rawValue
            try await harness.upsertConnector(
                tenantID: tenant, provider: testCase.provider, secrets: testCase.secrets,
                webhookID: testCase.webhookID, certificates: testCase.certificates, saltIndex: testCase.saltIndex)
            let body = Array(testCase.body.utf8)
            let path = "/webhooks/\(name)/\(tenant)"
            let (ok, json) = try await harness.send(
                path + testCase.pathSuffix(false), body: body, headers: try testCase.sign(body, false),
                method: testCase.method)
            XCTAssertEqual(ok.status, .ok, "\(name): \(ok.bodyText)")
            let id = try XCTUnwrap(json?["id"]?.stringValue, name)
            let detail = try await harness.adminGet("/admin/events/\(id)")
            XCTAssertEqual(detail["type"]?.stringValue, testCase.expectedType, name)
            XCTAssertEqual(detail["needs_confirmation"]?.boolValue, testCase.needsConfirmation, name)

            let (forged, forgedJSON) = try await harness.send(
                path + testCase.pathSuffix(true), body: body, headers: try testCase.sign(body, true),
                method: testCase.method)
            XCTAssertEqual(forged.status, .unauthorized, "\(name) accepted a wrong secret: \(forged.bodyText)")
            XCTAssertNotNil(forgedJSON?.value(at: "error.code")?.stringValue)

            if testCase.bodySigned {
                var tampered = body
                if let index = tampered.lastIndex(of: UInt8(ascii: "1")) { tampered[index] = UInt8(ascii: "2") }
                let (changed, _) = try await harness.send(
                    path + testCase.pathSuffix(false), body: tampered, headers: try testCase.sign(body, false),
                    method: testCase.method)
                XCTAssertEqual(changed.status, .unauthorized, "\(name) accepted a tampered body")
            }
            if !testCase.missingHeaderCode.isEmpty {
                let (missing, missingJSON) = try await harness.send(
                    path, body: body, headers: [:], method: testCase.method)
                XCTAssertEqual(missing.status, .unauthorized, name)
                XCTAssertEqual(missingJSON?.value(at: "error.code")?.stringValue, testCase.missingHeaderCode, name)
            }
        }
        try await harness.waitForDeliveries(cases.count)
        let forwarded = harness.consumer.applied.withLock { $0 }
        XCTAssertEqual(
            Set(forwarded.compactMap { $0.data["provider"]?.stringValue }), Set(cases.map(\.provider.rawValue)))
        XCTAssertEqual(
            forwarded.first { $0.data["provider"] == "paypal" }?.data["amount"]?.int64Value, 1050,
            "PayPal's \"10.50\" exactly")
        XCTAssertEqual(forwarded.first { $0.data["provider"] == "flutterwave" }?.data["amount"]?.int64Value, 10050)
        await harness.stop()
    }

    func testPayPalCertificatesAreOnlyFetchedFromPayPal() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(tenantID: tenant, provider: .paypal, secrets: [:], webhookID: "WH-1")
        let key = try RSAPrivateKey.generate()
        let body = Array(
            #"{"id":"WH-2","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C","amount":{"value":"1.00","currency_code":"USD"}}}"#
                .utf8)
        for url in [
            "https://evil.example.com/cert.pem", "http://api.paypal.com/cert.pem", "https://api.paypal.com.evil.com/c",
            "https://user@api.paypal.com/c",
        ] {
            let (response, json) = try await harness.send(
                "/webhooks/paypal/\(tenant)", body: body,
                headers: try ProviderSigning.paypal(key: key, certURL: url, webhookID: "WH-1", body: body))
            XCTAssertEqual(response.status, .unauthorized, url)
            XCTAssertEqual(json?.value(at: "error.code"), "untrusted_certificate", url)
        }
        await harness.stop()
    }

    func testGatewayAgnosticEndpointRecognisesTheProvider() async throws {
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_g"])
        try await harness.upsertConnector(tenantID: tenant, provider: .razorpay, secrets: ["webhook_secret": "rzp_g"])
        let stripe = ProviderSigning.stripeEvent()
        let (first, firstJSON) = try await harness.send(
            "/webhooks/payments?tenant=\(tenant)", body: stripe,
            headers: ProviderSigning.stripe(secret: "whsec_g", body: stripe))
        XCTAssertEqual(first.status, .ok, first.bodyText)
        let razorpay = Array(
            #"{"event":"payment.failed","payload":{"payment":{"entity":{"id":"pay_R9","amount":100,"currency":"INR","status":"failed"}}}}"#
                .utf8)
        let (second, secondJSON) = try await harness.send(
            "/webhooks/payments?tenant=\(tenant)", body: razorpay,
            headers: ProviderSigning.razorpay(secret: "rzp_g", body: razorpay, eventID: "evt_r9"))
        XCTAssertEqual(second.status, .ok, second.bodyText)
        let stripeDetail = try await harness.adminGet("/admin/events/\(firstJSON?["id"]?.stringValue ?? "")")
        let razorpayDetail = try await harness.adminGet("/admin/events/\(secondJSON?["id"]?.stringValue ?? "")")
        XCTAssertEqual(stripeDetail["provider"], "stripe")
        XCTAssertEqual(razorpayDetail["provider"], "razorpay")
        XCTAssertEqual(razorpayDetail["type"], "provider.payment.failed")
        let (unknown, unknownJSON) = try await harness.send(
            "/webhooks/payments?tenant=\(tenant)", body: stripe, headers: ["X-Whatever": "1"])
        XCTAssertEqual(unknown.status, .badRequest)
        XCTAssertEqual(unknownJSON?.value(at: "error.code"), "unrecognized_provider")
        let (noTenant, _) = try await harness.send(
            "/webhooks/payments", body: stripe, headers: ProviderSigning.stripe(secret: "whsec_g", body: stripe))
        XCTAssertEqual(noTenant.status, .badRequest)
        await harness.stop()
    }
}
