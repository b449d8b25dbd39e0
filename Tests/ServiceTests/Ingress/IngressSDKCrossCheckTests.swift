import Foundation
import Shared
import TestSupport
import XCTest

/// The providers' official SDKs (stripe, razorpay, standardwebhooks, phonepe-pg-sdk-python, from PyPI)
/// produce webhooks and check signatures against a running ingress: proof that Coffer speaks each
/// format as the provider does, not only as we read its documentation.
final class IngressSDKCrossCheckTests: XCTestCase {
    func testOfficialSDKsAgreeWithIngress() async throws {
        let venv = try TestEnvironment.require("COFFER_TEST_VENV")
        let harness = try await IngressHarness.start()
        let tenant = try await harness.createTenant()
        try await harness.upsertConnector(
            tenantID: tenant, provider: .stripe, secrets: ["webhook_secret": "whsec_sdk_stripe_secret"])
        try await harness.upsertConnector(
            tenantID: tenant, provider: .razorpay, secrets: ["webhook_secret": "rzp_sdk_webhook_secret"])
        try await harness.upsertConnector(
            tenantID: tenant, provider: .standard,
            secrets: ["webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        try await harness.upsertConnector(
            tenantID: tenant, provider: .phonepe,
            secrets: ["callback_username": "merchant-user", "callback_password": "merchant-password"])
        let output = try await TestProcess.run([
            venv + "/bin/python", "Tests/python/sdk_crosscheck.py", harness.baseURL, tenant,
        ])
        var results: [String: (status: Int, sdkOK: Bool)] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            let json = try JSONValue.parse(Array(line.utf8))
            results[json["check"]?.stringValue ?? ""] = (
                Int(json["status"]?.int64Value ?? 0), json["sdk_ok"]?.boolValue ?? false
            )
        }
        let expected: [String: Int] = [
            "stripe_signed_by_sdk": 200, "stripe_stale_by_sdk": 401, "stripe_sdk_verifies_same_header": 200,
            "razorpay_signature_the_sdk_verifies": 200, "razorpay_forgery_rejected_by_both": 401,
            "standard_signed_by_library": 200, "phonepe_callback_the_sdk_validates": 200,
            "phonepe_wrong_credential": 401,
        ]
        for (check, status) in expected {
            let result = try XCTUnwrap(results[check], "\(check) did not run:\n\(output)")
            XCTAssertEqual(result.status, status, check)
            XCTAssertTrue(result.sdkOK, "\(check): the SDK disagrees")
        }
        await harness.stop()
    }
}
