import Contracts
import Foundation
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow Paystack's webhook samples (paystack.com/docs/payments/webhooks and the transfer,
/// refund and dispute guides: `{"event", "data"}` with `data` mirroring the REST resource, ids as numbers,
/// amounts in kobo, `domain` live/test); references hold Coffer ids where Coffer sets them. The refund
/// sample's `amount` is written as a digit string, the form the refund normalizer also accepts.
final class PaystackNormalizerTests: XCTestCase {
    static func event(_ type: String, _ data: String) -> String { #"{"event": "\#(type)", "data": \#(data)}"# }

    static func charge(amount: String = "10000", currency: String = "\"NGN\"", id: String = "302961") -> String {
        #"""
        {"id": \#(id), "domain": "live", "status": "success", "reference": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
         "amount": \#(amount), "message": null, "gateway_response": "Approved by Financial Institution",
         "paid_at": "2016-09-30T21:10:19.000Z", "created_at": "2016-09-30T21:09:56.000Z", "channel": "card",
         "currency": \#(currency), "ip_address": "41.242.49.37", "metadata": 0, "fees": null,
         "customer": {"id": 68324, "email": "bojack@horsinaround.com", "customer_code": "CUS_qo38as2hpsgk2r0"},
         "authorization": {"authorization_code": "AUTH_f5rnfq9p", "last4": "8877", "bank": "TEST BANK"}, "plan": {}}
        """#
    }

    static func transfer(status: String) -> String {
        #"""
        {"amount": 30000, "currency": "NGN", "domain": "test", "failures": null, "id": 37272792,
         "integration": {"id": 463433, "is_live": true, "business_name": "Boom Boom Industries NG"},
         "reason": "Have fun...", "reference": "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7", "source": "balance",
         "source_details": null, "status": "\#(status)", "titan_code": null, "transfer_code": "TRF_wpl1dem4967avzm",
         "transferred_at": null, "recipient": {"recipient_code": "RCP_a8wkxiychzdzfgs", "type": "nuban"},
         "created_at": "2020-10-26T12:28:57.000Z", "updated_at": "2020-10-26T12:28:57.000Z"}
        """#
    }

    static func refund(status: String, note: String = "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6", amount: String = #""10000""#)
        -> String
    {
        #"""
        {"status": "\#(status)", "transaction_reference": "T685312322670591", "refund_reference": "132013318360",
         "amount": \#(amount), "currency": "NGN", "processor": "mpgs_zen", "merchant_note": "\#(note)",
         "customer": {"first_name": "Damilola", "last_name": "Odujoko", "email": "damilola@example.com"},
         "integration": 412829, "domain": "live", "id": "1234567"}
        """#
    }

    static let dispute = #"""
        {"id": 358950, "refund_amount": 5427, "currency": "NGN", "status": "awaiting-merchant-feedback",
         "resolution": null, "domain": "live",
         "transaction": {"id": 896467688, "domain": "live", "status": "success", "reference": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                         "amount": 5427, "currency": "NGN", "paid_at": "2020-11-24T13:45:57.000Z"},
         "category": "chargeback", "created_at": "2020-11-24T13:47:52.000Z", "due_at": "2020-11-25T18:00:00.000Z"}
        """#

    func testForwardedTypesMapToCofferFacts() throws {
        let paid = try XCTUnwrap(Timestamp.parse("2016-09-30T21:10:19.000Z"))
        let updated = try XCTUnwrap(Timestamp.parse("2020-10-26T12:28:57.000Z"))
        let transfer = { (type: ProviderEventType, status: String) in
            ProviderFact(
                type: type, providerObjectID: "TRF_wpl1dem4967avzm", cofferID: "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7",
                amount: 30000, currency: "NGN", status: status, occurredAt: updated)
        }
        let refund = { (type: ProviderEventType, status: String) in
            ProviderFact(
                type: type, providerObjectID: "1234567", relatedProviderObjectID: "T685312322670591",
                cofferID: "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6", amount: 10000, currency: "NGN", status: status)
        }
        let cases: [(type: String, data: String, live: Bool?, fact: ProviderFact)] = [
            (
                "charge.success", Self.charge(), true,
                ProviderFact(
                    type: .paymentCaptured, providerObjectID: "302961", cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                    amount: 10000, currency: "NGN", status: "success", occurredAt: paid)
            ),
            ("transfer.success", Self.transfer(status: "success"), false, transfer(.payoutProcessed, "success")),
            ("transfer.failed", Self.transfer(status: "failed"), false, transfer(.payoutFailed, "failed")),
            ("transfer.reversed", Self.transfer(status: "reversed"), false, transfer(.payoutReversed, "reversed")),
            ("refund.processed", Self.refund(status: "processed"), true, refund(.refundSucceeded, "processed")),
            ("refund.failed", Self.refund(status: "failed"), true, refund(.refundFailed, "failed")),
            (
                "charge.dispute.create", Self.dispute, true,
                ProviderFact(
                    type: .disputeOpened, providerObjectID: "358950", relatedProviderObjectID: "896467688",
                    cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", amount: 5427, currency: "NGN",
                    status: "awaiting-merchant-feedback")
            ),
        ]
        for (type, data, live, fact) in cases {
            let result = try NormalizerHarness.normalize(.paystack, Self.event(type, data))
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertNil(result.providerEventID)
            XCTAssertEqual(result.livemode, live, type)
            XCTAssertEqual(result.event, fact, type)
        }
    }

    func testRefundCofferIDIsTakenOnlyWhenTheNoteIsACofferRefundID() throws {
        let freeText = try NormalizerHarness.normalize(
            .paystack,
            Self.event(
                "refund.processed",
                Self.refund(status: "processed", note: "Refund for transaction T685312322670591 by test@me.com")))
        XCTAssertNil(freeText.event?.cofferID)
        let integer = try NormalizerHarness.normalize(
            .paystack,
            Self.event(
                "refund.processed", Self.refund(status: "processed", amount: "10000")))
        XCTAssertEqual(integer.event?.amount, 10000)
        let noID = try NormalizerHarness.normalize(
            .paystack,
            Self.event(
                "refund.processed",
                #"{"refund_reference": "132013318360", "transaction_reference": "T1", "amount": 5, "currency": "GHS"}"#)
        )
        XCTAssertEqual(noID.event?.providerObjectID, "132013318360")
        XCTAssertEqual(noID.event?.currency, "GHS")
    }

    func testTransferWithoutCodeFallsBackToItsNumericID() throws {
        let result = try NormalizerHarness.normalize(
            .paystack,
            Self.event(
                "transfer.success", #"{"id": 37272792, "reference": "po_1", "amount": 100, "currency": "NGN"}"#))
        XCTAssertEqual(result.event?.providerObjectID, "37272792")
        XCTAssertNil(result.livemode)
    }

    func testOtherEventsAreNotForwarded() throws {
        for type in [
            "refund.pending", "refund.processing", "charge.dispute.remind", "charge.dispute.resolve",
            "subscription.create", "invoice.update", "customeridentification.failed",
        ] {
            let result = try NormalizerHarness.normalize(.paystack, Self.event(type, Self.charge()))
            XCTAssertNil(result.event, type)
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertEqual(result.livemode, true)
        }
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let refused: [(json: String, field: String)] = [
            (Self.event("charge.success", Self.charge(amount: "-10000")), "data.amount"),
            (Self.event("charge.success", Self.charge(amount: "100.50")), "data.amount"),
            (Self.event("charge.success", Self.charge(amount: #""10000""#)), "data.amount"),
            (Self.event("charge.success", Self.charge(amount: "1e4")), "data.amount"),
            (Self.event("charge.success", Self.charge(amount: "9223372036854775808")), "data.amount"),
            (Self.event("charge.success", Self.charge(currency: #""SECRETX""#)), "data.currency"),
            (Self.event("charge.success", Self.charge(currency: #""NGX""#)), "data.currency"),
            (Self.event("charge.success", Self.charge(id: "-5")), "data.id"),
            (Self.event("charge.success", Self.charge(id: "3.5")), "data.id"),
            (Self.event("charge.success", Self.charge(id: "null")), "data.id"),
            (Self.event("charge.success", Self.charge(id: "{}")), "data.id"),
            (Self.event("refund.processed", Self.refund(status: "processed", amount: #""1.5""#)), "data.amount"),
            (Self.event("refund.processed", Self.refund(status: "processed", amount: #""-15""#)), "data.amount"),
            (
                Self.event("refund.processed", Self.refund(status: "processed", amount: #""99999999999999999999""#)),
                "data.amount"
            ),
            (
                Self.event("refund.processed", #"{"transaction_reference": "T1", "amount": 5, "currency": "NGN"}"#),
                "data.id"
            ),
            (Self.event("refund.processed", #"{"id": 1, "amount": 5}"#), "data.currency"),
            (
                Self.event("transfer.success", #"{"reference": "po_1", "amount": 5, "currency": "NGN"}"#),
                "data.transfer_code"
            ),
            (Self.event("charge.dispute.create", #"{"status": "pending"}"#), "data.id"),
            (Self.event("charge.success", #""SECRETX""#), "data"),
            (
                Self.event("charge.success", Self.charge()).replacingOccurrences(
                    of: #""domain": "live""#, with: #""domain": 1"#),
                "data.domain"
            ),
            (#"{"data": {}}"#, "event"),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.paystack, json, naming: field, secret: "SECRETX")
        }
    }
}
