import Foundation
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow Flutterwave v3's webhook samples (developer.flutterwave.com/v3.0/docs/webhooks:
/// `charge.completed` with the v3 transaction object, `transfer.completed` with the transfer object),
/// reusing their ids; `tx_ref`/`reference` hold Coffer ids where Coffer sets them.
final class FlutterwaveNormalizerTests: XCTestCase {
    static func charge(
        status: String = "successful", amount: String = "100", currency: String = "\"NGN\"",
        id: String = "285959875", response: String = "Approved by Financial Institution"
    ) -> String {
        #"""
        {"event": "charge.completed",
         "data": {"id": \#(id), "tx_ref": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", "flw_ref": "PeterEkene/FLW270177170",
          "device_fingerprint": "a42937f4a73ce8bb8b8df14e63a2df31", "amount": \#(amount), "currency": \#(currency),
          "charged_amount": \#(amount), "app_fee": 1.4, "merchant_fee": 0,
          "processor_response": "\#(response)", "auth_model": "PIN", "ip": "197.210.64.96",
          "narration": "CARD Transaction ", "status": "\#(status)", "payment_type": "card",
          "created_at": "2020-07-06T19:17:04.000Z", "account_id": 17321,
          "customer": {"id": 215604089, "name": "Yemi Desola", "email": "user@gmail.com"},
          "card": {"first_6digits": "123456", "last_4digits": "7889", "issuer": "VERVE FIRST CITY MONUMENT BANK PLC",
                   "country": "NG", "type": "VERVE", "expiry": "02/23"}},
         "event.type": "CARD_TRANSACTION"}
        """#
    }

    static func transfer(status: String, amount: String = "50") -> String {
        #"""
        {"event": "transfer.completed", "event.type": "Transfer",
         "data": {"id": 33286, "account_number": "0690000040", "bank_name": "ACCESS BANK NIGERIA", "bank_code": "044",
          "fullname": "Alexis Sanchez", "created_at": "2020-06-25T16:26:09.000Z", "currency": "NGN",
          "debit_currency": "NGN", "amount": \#(amount), "fee": 26.875, "status": "\#(status)",
          "reference": "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7", "meta": null, "narration": "Payout",
          "approver": null, "complete_message": "DISBURSE FAILED: Insufficient funds", "requires_approval": 0,
          "is_approved": 1}}
        """#
    }

    func testForwardedTypesMapToCofferFacts() throws {
        let charged = try XCTUnwrap(Timestamp.parse("2020-07-06T19:17:04.000Z"))
        let sent = try XCTUnwrap(Timestamp.parse("2020-06-25T16:26:09.000Z"))
        let captured = ProviderFact(
            type: .paymentCaptured, providerObjectID: "285959875", cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
            amount: 10000, currency: "NGN", status: "successful", occurredAt: charged)
        var failed = captured
        failed.type = .paymentFailed
        failed.status = "failed"
        failed.failureReason = "Declined by issuer"
        let processed = ProviderFact(
            type: .payoutProcessed, providerObjectID: "33286", cofferID: "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7", amount: 5000,
            currency: "NGN", status: "SUCCESSFUL", occurredAt: sent)
        var payoutFailed = processed
        payoutFailed.type = .payoutFailed
        payoutFailed.status = "FAILED"
        payoutFailed.failureReason = "DISBURSE FAILED: Insufficient funds"
        let cases: [(json: String, type: String, fact: ProviderFact)] = [
            (Self.charge(), "charge.completed", captured),
            (Self.charge(status: "failed", response: "Declined by issuer"), "charge.completed", failed),
            (Self.transfer(status: "SUCCESSFUL"), "transfer.completed", processed),
            (Self.transfer(status: "FAILED"), "transfer.completed", payoutFailed),
        ]
        for (json, type, fact) in cases {
            let result = try NormalizerHarness.normalize(.flutterwave, json)
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertNil(result.providerEventID)
            XCTAssertNil(result.livemode)
            XCTAssertEqual(result.event, fact, fact.type.rawValue)
        }
    }

    func testJSONNumberAmountsInMajorUnitsConvertExactly() throws {
        let cases: [(amount: String, currency: String, minor: Int64)] = [
            ("100.5", "NGN", 10050), ("100", "NGN", 10000), ("0.01", "GHS", 1), ("100.50", "KES", 10050),
            ("5000", "UGX", 5000), ("1500", "XAF", 1500), ("12.345", "KWD", 12345), ("19.990", "USD", 1999),
        ]
        for (amount, currency, minor) in cases {
            let result = try NormalizerHarness.normalize(
                .flutterwave, Self.charge(amount: amount, currency: "\"\(currency)\""))
            XCTAssertEqual(result.event?.amount, minor, "\(amount) \(currency)")
            XCTAssertEqual(result.event?.currency, currency)
        }
    }

    func testOpenStatusesAndOtherEventsAreNotForwarded() throws {
        for json in [
            Self.charge(status: "pending"), Self.transfer(status: "NEW"),
            #"{"event": "subscription.cancelled", "data": {"id": 1}}"#,
            #"{"event": "charge.completed", "data": {"id": 1, "status": "cancelled"}}"#,
        ] {
            let result = try NormalizerHarness.normalize(.flutterwave, json)
            XCTAssertNil(result.event, json)
        }
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let refused: [(json: String, field: String)] = [
            (Self.charge(amount: "100.505"), "data.amount"),
            (Self.charge(amount: "1.5", currency: #""UGX""#), "data.amount"),
            (Self.charge(amount: "-100"), "data.amount"),
            (Self.charge(amount: "1e2"), "data.amount"),
            (Self.charge(amount: "100000000000000000000"), "data.amount"),
            (Self.charge(amount: "true"), "data.amount"),
            (Self.charge(currency: #""SECRETX""#), "data.currency"),
            (Self.charge(currency: "null"), "data.currency"),
            (Self.charge(id: "null"), "data.id"),
            (Self.charge(id: "1.5"), "data.id"),
            (Self.transfer(status: "SUCCESSFUL", amount: #""SECRETX""#), "data.amount"),
            (#"{"event": "charge.completed", "data": ["SECRETX"]}"#, "data"),
            (#"{"event": "charge.completed", "data": {"id": 1, "status": 5}}"#, "data.status"),
            (#"{"data": {}}"#, "event"),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.flutterwave, json, naming: field, secret: "SECRETX")
        }
    }
}
