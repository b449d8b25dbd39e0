import Contracts
import Foundation
import HTTP
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow Razorpay's sample payloads (razorpay.com/docs/webhooks/payloads: payments, orders,
/// refunds, RazorpayX payouts, disputes), reusing their ids; Coffer's notes keys are added where Coffer
/// sets them. Razorpay sends `notes` as `[]` when empty, as its samples show.
final class RazorpayNormalizerTests: XCTestCase {
    static let headers: HTTPHeaders = ["X-Razorpay-Event-Id": "KNGjYq6UVq0cy7", "X-Razorpay-Signature": "ab12"]
    static let created: TimeInterval = 1_567_674_606

    static func event(_ type: String, _ payload: String) -> String {
        #"""
        {"entity": "event", "account_id": "acc_BFQ7uQEaa7j2z7", "event": "\#(type)", "contains": ["payment"],
         "payload": \#(payload), "created_at": 1567674606}
        """#
    }

    static func payment(
        status: String, notes: String = #"{"coffer_payment_id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5"}"#,
        amount: String = "100", currency: String = "\"INR\"", errorCode: String = "null"
    ) -> String {
        #"""
        {"entity": {"id": "pay_DESlfW9H8K9uqM", "entity": "payment", "amount": \#(amount), "currency": \#(currency),
         "status": "\#(status)", "order_id": "order_DESlLckIVRkHWj", "invoice_id": null, "international": false,
         "method": "netbanking", "amount_refunded": 0, "captured": true, "bank": "HDFC",
         "email": "gaurav.kumar@example.com", "contact": "+919876543210", "notes": \#(notes), "fee": 2,
         "tax": 0, "error_code": \#(errorCode), "error_description": null, "created_at": 1567674599}}
        """#
    }

    static let order = #"""
        {"entity": {"id": "order_DESlLckIVRkHWj", "entity": "order", "amount": 100, "amount_paid": 100,
         "amount_due": 0, "currency": "INR", "receipt": "rcptid #1", "offer_id": null, "status": "paid",
         "attempts": 1, "notes": {"coffer_payment_id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y9"}, "created_at": 1567674581}}
        """#

    static func refund(status: String) -> String {
        #"""
        {"refund": {"entity": {"id": "rfnd_FS8TWyPrCsa0OB", "entity": "refund", "amount": 50000, "currency": "INR",
         "payment_id": "pay_FPoJKWQQ8lK13n", "notes": {"coffer_refund_id": "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6"},
         "receipt": null, "acquirer_data": {"arn": null}, "created_at": 1597734071, "batch_id": null,
         "status": "\#(status)", "speed_processed": "normal", "speed_requested": "optimum"}}}
        """#
    }

    static func payout(status: String, failureReason: String = "null") -> String {
        #"""
        {"payout": {"entity": {"id": "pout_00000000000001", "entity": "payout", "fund_account_id": "fa_00000000000001",
         "amount": 1000000, "currency": "INR", "notes": {"notes_key_1": "Tea, Earl Grey, Hot"}, "fees": 590,
         "tax": 90, "status": "\#(status)", "purpose": "refund", "utr": null, "mode": "NEFT",
         "reference_id": "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7", "narration": "Acme Corp Fund Transfer",
         "batch_id": null, "failure_reason": \#(failureReason), "created_at": 1545320320}}}
        """#
    }

    static let dispute = #"""
        {"payment": {"entity": {"id": "pay_CnOfwFLeMAKhHU", "entity": "payment", "amount": 1000000, "currency": "INR",
         "status": "captured", "notes": {"coffer_payment_id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5"}}},
         "dispute": {"entity": {"id": "disp_Esz7KAitoYM7PJ", "entity": "dispute", "payment_id": "pay_CnOfwFLeMAKhHU",
         "amount": 1000000, "currency": "INR", "amount_deducted": 0, "reason_code": "chargeback",
         "respond_by": 1590604200, "status": "open", "phase": "chargeback", "created_at": 1590050055}}}
        """#

    func testForwardedTypesMapToCofferFacts() throws {
        let when = NormalizerHarness.date(Self.created)
        let captured = ProviderFact(
            type: .paymentCaptured, providerObjectID: "pay_DESlfW9H8K9uqM",
            relatedProviderObjectID: "order_DESlLckIVRkHWj",
            cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", amount: 100, currency: "INR", status: "captured",
            occurredAt: when)
        var authorized = captured
        authorized.type = .paymentAuthorized
        authorized.status = "authorized"
        var failed = captured
        failed.type = .paymentFailed
        failed.status = "failed"
        failed.failureReason = "BAD_REQUEST_ERROR"
        var orderPaid = captured
        orderPaid.cofferID = "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y9"  // from the order: the payment's notes are empty
        let refund = ProviderFact(
            type: .refundSucceeded, providerObjectID: "rfnd_FS8TWyPrCsa0OB",
            relatedProviderObjectID: "pay_FPoJKWQQ8lK13n",
            cofferID: "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6", amount: 50000, currency: "INR", status: "processed",
            occurredAt: when)
        var refundFailed = refund
        refundFailed.type = .refundFailed
        refundFailed.status = "failed"
        let payout = { (type: ProviderEventType, status: String, reason: String?) in
            ProviderFact(
                type: type, providerObjectID: "pout_00000000000001", cofferID: "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7",
                amount: 1_000_000, currency: "INR", status: status, failureReason: reason, occurredAt: when)
        }
        let cases: [(type: String, payload: String, fact: ProviderFact)] = [
            ("payment.authorized", #"{"payment": \#(Self.payment(status: "authorized"))}"#, authorized),
            ("payment.captured", #"{"payment": \#(Self.payment(status: "captured"))}"#, captured),
            (
                "payment.failed",
                #"{"payment": \#(Self.payment(status: "failed", errorCode: #""BAD_REQUEST_ERROR""#))}"#,
                failed
            ),
            (
                "order.paid",
                #"{"payment": \#(Self.payment(status: "captured", notes: "[]")), "order": \#(Self.order)}"#,
                orderPaid
            ),
            ("refund.processed", Self.refund(status: "processed"), refund),
            ("refund.failed", Self.refund(status: "failed"), refundFailed),
            ("payout.processed", Self.payout(status: "processed"), payout(.payoutProcessed, "processed", nil)),
            ("payout.reversed", Self.payout(status: "reversed"), payout(.payoutReversed, "reversed", nil)),
            (
                "payout.failed", Self.payout(status: "failed", failureReason: #""Beneficiary bank is down""#),
                payout(.payoutFailed, "failed", "Beneficiary bank is down")
            ),
            ("payout.rejected", Self.payout(status: "rejected"), payout(.payoutFailed, "rejected", nil)),
            (
                "payment.dispute.created", Self.dispute,
                ProviderFact(
                    type: .disputeOpened, providerObjectID: "disp_Esz7KAitoYM7PJ",
                    relatedProviderObjectID: "pay_CnOfwFLeMAKhHU", cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                    amount: 1_000_000, currency: "INR", status: "open", failureReason: "chargeback",
                    occurredAt: when)
            ),
        ]
        for (type, payload, fact) in cases {
            let result = try NormalizerHarness.normalize(.razorpay, Self.event(type, payload), headers: Self.headers)
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertEqual(result.providerEventID, "KNGjYq6UVq0cy7")
            XCTAssertNil(result.livemode)
            XCTAssertEqual(result.event, fact, type)
        }
    }

    func testCofferIDComesFromPaymentNotesThenOrderNotesThenReceipt() throws {
        let order = #"{"entity": {"id": "order_1", "receipt": "pay_01JD3XK5M7Q8R9S0T1V2W3X4YA", "notes": []}}"#
        let fromReceipt = try NormalizerHarness.normalize(
            .razorpay,
            Self.event(
                "order.paid", #"{"payment": \#(Self.payment(status: "captured", notes: "[]")), "order": \#(order)}"#))
        XCTAssertEqual(fromReceipt.event?.cofferID, "pay_01JD3XK5M7Q8R9S0T1V2W3X4YA")
        let fromPayment = try NormalizerHarness.normalize(
            .razorpay,
            Self.event("order.paid", #"{"payment": \#(Self.payment(status: "captured")), "order": \#(Self.order)}"#))
        XCTAssertEqual(fromPayment.event?.cofferID, "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5")
        let none = try NormalizerHarness.normalize(
            .razorpay,
            Self.event("payment.captured", #"{"payment": \#(Self.payment(status: "captured", notes: "[]"))}"#))
        XCTAssertNil(none.event?.cofferID)
    }

    func testEventIDIsOnlyInTheHeader() throws {
        let json = Self.event("payment.captured", #"{"payment": \#(Self.payment(status: "captured"))}"#)
        XCTAssertNil(try NormalizerHarness.normalize(.razorpay, json).providerEventID)
        let lower = try NormalizerHarness.normalize(.razorpay, json, headers: ["x-razorpay-event-id": "Evt123"])
        XCTAssertEqual(lower.providerEventID, "Evt123")
        NormalizerHarness.assertRefused(
            .razorpay, json, naming: "x-razorpay-event-id",
            headers: ["x-razorpay-event-id": String(repeating: "e", count: 256)])
    }

    func testStepsAreNotForwarded() throws {
        for type in [
            "refund.created", "payout.queued", "payout.initiated", "payout.pending", "payout.updated",
            "payment.pending", "refund.speed_changed", "subscription.charged",
        ] {
            let result = try NormalizerHarness.normalize(
                .razorpay, Self.event(type, Self.payout(status: "queued")),
                headers: Self.headers)
            XCTAssertNil(result.event, type)
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertEqual(result.providerEventID, "KNGjYq6UVq0cy7")
        }
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let entity = "payload.payment.entity"
        let captured = { (payment: String) in Self.event("payment.captured", #"{"payment": \#(payment)}"#) }
        let refused: [(json: String, field: String)] = [
            (captured(Self.payment(status: "captured", amount: "-100")), "\(entity).amount"),
            (captured(Self.payment(status: "captured", amount: "100.5")), "\(entity).amount"),
            (captured(Self.payment(status: "captured", amount: #""100""#)), "\(entity).amount"),
            (captured(Self.payment(status: "captured", amount: "92233720368547758070")), "\(entity).amount"),
            (captured(Self.payment(status: "captured", currency: #""SECRETX""#)), "\(entity).currency"),
            (captured(Self.payment(status: "captured", currency: #""ZZZ""#)), "\(entity).currency"),
            (
                captured(Self.payment(status: "captured", notes: #"{"coffer_payment_id": ["SECRETX"]}"#)),
                "\(entity).notes.coffer_payment_id"
            ),
            (captured(#"{"entity": {"amount": 100, "currency": "INR"}}"#), "\(entity).id"),
            (captured(#""SECRETX""#), "payload.payment"),
            (Self.event("payment.captured", #"{}"#), entity),
            (
                Self.event("refund.processed", #"{"payment": \#(Self.payment(status: "captured"))}"#),
                "payload.refund.entity"
            ),
            (
                Self.event("payout.processed", #"{"payout": {"entity": {"id": "pout_1", "amount": 5}}}"#),
                "payload.payout.entity.currency"
            ),
            (#"{"payload": {}, "created_at": 1}"#, "event"),
            (#"{"event": "payment.captured", "payload": {}, "created_at": "SECRETX"}"#, "created_at"),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.razorpay, json, naming: field, secret: "SECRETX", headers: Self.headers)
        }
    }
}
