import Foundation
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow iKhokha iK Pay's payment-link callback (`paylinkID`, `status`, `externalTransactionID`,
/// `responseCode`, the fields its payment-link API returns in ikhokha/ik-pay-api-examples); the optional
/// `amount` is in cents, as iKhokha's create-link examples send it. `externalTransactionID` is Coffer's id.
final class IKhokhaNormalizerTests: XCTestCase {
    static func callback(status: String, extra: String = "", responseCode: String = "00") -> String {
        #"""
        {"paylinkID": "c8a1e2f0-4b7d-4e8a-9b1c-2d3e4f5a6b7c", "status": "\#(status)",
         "externalTransactionID": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", \#(extra) "responseCode": "\#(responseCode)"}
        """#
    }

    func testOutcomesMapToCofferFacts() throws {
        let success = try NormalizerHarness.normalize(.ikhokha, Self.callback(status: "SUCCESS"))
        XCTAssertEqual(success.providerEventType, "SUCCESS")
        XCTAssertNil(success.providerEventID)
        XCTAssertNil(success.livemode)
        XCTAssertEqual(
            success.event,
            ProviderFact(
                type: .paymentCaptured, providerObjectID: "c8a1e2f0-4b7d-4e8a-9b1c-2d3e4f5a6b7c",
                cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", currency: "ZAR", status: "SUCCESS"))
        let failure = try NormalizerHarness.normalize(.ikhokha, Self.callback(status: "FAILURE"))
        XCTAssertEqual(
            failure.event,
            ProviderFact(
                type: .paymentFailed, providerObjectID: "c8a1e2f0-4b7d-4e8a-9b1c-2d3e4f5a6b7c",
                cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", currency: "ZAR", status: "FAILURE"))
        let declined = try NormalizerHarness.normalize(.ikhokha, Self.callback(status: "FAILURE", responseCode: "51"))
        XCTAssertEqual(declined.event?.failureReason, "51")
        XCTAssertEqual(
            try NormalizerHarness.normalize(.ikhokha, Self.callback(status: "failed")).event?.type, .paymentFailed)
        let withAmount = try NormalizerHarness.normalize(
            .ikhokha, Self.callback(status: "SUCCESS", extra: #""amount": 10000,"#))
        XCTAssertEqual(withAmount.event?.amount, 10000)
        XCTAssertEqual(withAmount.event?.currency, "ZAR")
    }

    func testOtherStatusesAreNotForwarded() throws {
        for status in ["PENDING", "CREATED", "EXPIRED_SOON"] {
            let result = try NormalizerHarness.normalize(.ikhokha, Self.callback(status: status))
            XCTAssertNil(result.event, status)
            XCTAssertEqual(result.providerEventType, status)
        }
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let refused: [(json: String, field: String)] = [
            (Self.callback(status: "SUCCESS", extra: #""amount": 100.5,"#), "amount"),
            (Self.callback(status: "SUCCESS", extra: #""amount": -100,"#), "amount"),
            (Self.callback(status: "SUCCESS", extra: #""amount": "SECRETX","#), "amount"),
            (Self.callback(status: "SUCCESS", extra: #""amount": 1, "currency": "SECRETX","#), "currency"),
            (#"{"status": "SUCCESS", "externalTransactionID": "pay_1"}"#, "paylinkID"),
            (#"{"status": "SUCCESS", "paylinkID": 12}"#, "paylinkID"),
            (#"{"paylinkID": "p"}"#, "status"),
            (#"{"paylinkID": "p", "status": null}"#, "status"),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.ikhokha, json, naming: field, secret: "SECRETX")
        }
    }
}
