import Foundation
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow Airtel Money's collection callback (developers.airtel.africa "Callback": the
/// `transaction` object with `id`, `message`, `status_code`, `airtel_money_id`, and `hash` when callback
/// authentication is on), as recorded in Coffer's PROVIDERS.md; `id` is the reference Coffer sent.
final class AirtelNormalizerTests: XCTestCase {
    static func callback(
        code: String, moneyID: String = #""airtel_money_id": "MP210603.1234.L06941","#,
        message: String = "Paid UGX 5,000 to MERCHANT, Trans ID MP210603.1234.L06941."
    ) -> String {
        #"""
        {"transaction": {"id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", "message": "\#(message)",
         "status_code": "\#(code)", \#(moneyID) "hash": "zITVAAGYSlzl1WkUQJn81kbpT5drH3koffT8jCkcJJA="}}
        """#
    }

    func testSettledCodesMapToCofferFacts() throws {
        let success = try NormalizerHarness.normalize(.airtel, Self.callback(code: "TS"))
        XCTAssertEqual(success.providerEventType, "TS")
        XCTAssertNil(success.providerEventID)
        XCTAssertNil(success.livemode)
        XCTAssertEqual(
            success.event,
            ProviderFact(
                type: .paymentCaptured, providerObjectID: "MP210603.1234.L06941",
                cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                status: "TS"))
        let failed = try NormalizerHarness.normalize(
            .airtel, Self.callback(code: "TF", moneyID: "", message: "Transaction failed: insufficient funds"))
        XCTAssertEqual(
            failed.event,
            ProviderFact(
                type: .paymentFailed, providerObjectID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                status: "TF", failureReason: "Transaction failed: insufficient funds"))
        let expired = try NormalizerHarness.normalize(
            .airtel, Self.callback(code: "TE", moneyID: #""airtel_money_id": null,"#))
        XCTAssertEqual(expired.event?.type, .paymentFailed)
        XCTAssertEqual(expired.event?.providerObjectID, "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5")
    }

    func testAmbiguousAndInProgressCodesAreNotForwarded() throws {
        for code in ["TA", "TIP", "TX"] {
            let result = try NormalizerHarness.normalize(.airtel, Self.callback(code: code))
            XCTAssertNil(result.event, code)
            XCTAssertEqual(result.providerEventType, code)
        }
    }

    func testLongMessagesAreCutNotRefused() throws {
        let long = String(repeating: "é", count: 5000)
        let result = try NormalizerHarness.normalize(.airtel, Self.callback(code: "TF", message: long))
        XCTAssertEqual(result.event?.failureReason?.unicodeScalars.count, BodyFields.maxTextScalars)
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let refused: [(json: String, field: String)] = [
            (#"{"transaction": {"id": "x"}}"#, "transaction.status_code"),
            (#"{"transaction": {"id": "x", "status_code": ["SECRETX"]}}"#, "transaction.status_code"),
            (#"{"transaction": "SECRETX"}"#, "transaction"),
            (#"{"status_code": "TS"}"#, "transaction"),
            (#"{"transaction": {"status_code": "TS"}}"#, "transaction.id"),
            (#"{"transaction": {"status_code": "TS", "id": 5}}"#, "transaction.id"),
            (
                #"{"transaction": {"status_code": "TS", "id": "x", "airtel_money_id": {}}}"#,
                "transaction.airtel_money_id"
            ),
            (#"{"transaction": {"status_code": "TF", "id": "x", "message": false}}"#, "transaction.message"),
            (
                #"{"transaction": {"status_code": "TS", "id": "\#(String(repeating: "9", count: 256))"}}"#,
                "transaction.id"
            ),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.airtel, json, naming: field, secret: "SECRETX")
        }
    }
}
