import Contracts
import Foundation
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow PayPal's webhook event samples (developer.paypal.com/api/rest/webhooks/event-names:
/// PAYMENT.CAPTURE.*, CHECKOUT.ORDER.*, PAYMENT.PAYOUTS-ITEM.*, CUSTOMER.DISPUTE.CREATED), reusing their
/// ids; `custom_id`/`sender_item_id` hold Coffer ids where Coffer sets them.
final class PayPalNormalizerTests: XCTestCase {
    static let createTime = "2019-02-14T21:50:07.940Z"

    static func event(_ type: String, _ resource: String) -> String {
        #"""
        {"id": "WH-58D329510W468432D-8HN650336L201105X", "event_version": "1.0",
         "create_time": "\#(createTime)", "resource_type": "capture", "resource_version": "2.0",
         "event_type": "\#(type)", "summary": "Payment event", "resource": \#(resource),
         "links": [{"href": "https://api.paypal.com/v1/notifications/webhooks-events/WH-58D329510W468432D-8HN650336L201105X",
                    "rel": "self", "method": "GET"}]}
        """#
    }

    static func capture(
        status: String, value: String = "2.51", currency: String = "USD",
        details: String = ""
    ) -> String {
        #"""
        {"id": "27M47624FP291604U", "amount": {"currency_code": "\#(currency)", "value": "\#(value)"},
         "final_capture": true, "seller_protection": {"status": "ELIGIBLE"}, "status": "\#(status)",
         "custom_id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", \#(details)
         "supplementary_data": {"related_ids": {"order_id": "5O190127TN364715T"}},
         "create_time": "2019-02-14T21:49:58Z", "update_time": "2019-02-14T21:49:58Z",
         "links": [{"href": "https://api.paypal.com/v2/payments/captures/27M47624FP291604U", "rel": "self", "method": "GET"}]}
        """#
    }

    static func refund(
        status: String = "COMPLETED",
        customID: String = #""custom_id": "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6","#
    ) -> String {
        #"""
        {"id": "1Y107995YT783435V", "amount": {"currency_code": "USD", "value": "1.32"},
         "note_to_payer": "Why I'm refunding", \#(customID) "invoice_id": "INV-1234", "status": "\#(status)",
         "create_time": "2018-08-15T19:10:18-07:00",
         "links": [{"href": "https://api.paypal.com/v2/payments/refunds/1Y107995YT783435V", "rel": "self", "method": "GET"},
                   {"href": "https://api.paypal.com/v2/payments/captures/0JF852973C016714D", "rel": "up", "method": "GET"}]}
        """#
    }

    static func order(status: String, unit: String) -> String {
        #"""
        {"id": "5O190127TN364715T", "intent": "CAPTURE", "status": "\#(status)", "purchase_units": [\#(unit)],
         "create_time": "2018-04-01T21:18:49Z",
         "links": [{"href": "https://api.paypal.com/v2/checkout/orders/5O190127TN364715T", "rel": "self", "method": "GET"}]}
        """#
    }

    static let unit = #"""
        {"reference_id": "d9f80740-38f0-11e8-b467-0ed5f89f718b", "custom_id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
         "amount": {"currency_code": "USD", "value": "100.00"}, "payee": {"email_address": "merchant@example.com"}}
        """#

    static func payoutItem(status: String) -> String {
        #"""
        {"transaction_id": "3B9A2B4D2B4F3B4D", "payout_item_fee": {"currency": "USD", "value": "0.00"},
         "transaction_status": "\#(status)", "time_processed": "2018-05-29T19:11:46Z",
         "payout_item": {"recipient_type": "EMAIL", "amount": {"currency": "USD", "value": "1.00"},
                         "note": "Thanks for your patronage!", "receiver": "receiver@example.com",
                         "sender_item_id": "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7"},
         "errors": {"name": "RECEIVER_UNREGISTERED", "message": "Receiver is unregistered"},
         "payout_item_id": "8AELMXH8UB2P8", "payout_batch_id": "Q8KVJG9TZTNN4"}
        """#
    }

    static let dispute = #"""
        {"dispute_id": "PP-000-042-663-135", "create_time": "2018-05-30T10:51:11.000Z",
         "disputed_transactions": [{"seller_transaction_id": "00D10444LD479031K", "seller_protection_eligible": true}],
         "reason": "MERCHANDISE_OR_SERVICE_NOT_RECEIVED", "status": "OPEN",
         "dispute_amount": {"currency_code": "USD", "value": "3.00"}, "dispute_life_cycle_stage": "INQUIRY"}
        """#

    func testForwardedTypesMapToCofferFacts() throws {
        let when = try XCTUnwrap(Timestamp.parse(Self.createTime))
        let capture = ProviderFact(
            type: .paymentCaptured, providerObjectID: "27M47624FP291604U", relatedProviderObjectID: "5O190127TN364715T",
            cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", amount: 251, currency: "USD", status: "COMPLETED",
            occurredAt: when)
        var denied = capture
        denied.type = .paymentFailed
        denied.status = "DECLINED"
        denied.failureReason = "DECLINED_BY_RISK_FRAUD_FILTERS"
        let refund = ProviderFact(
            type: .refundSucceeded, providerObjectID: "1Y107995YT783435V", relatedProviderObjectID: "0JF852973C016714D",
            cofferID: "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6", amount: 132, currency: "USD", status: "COMPLETED",
            occurredAt: when)
        let reversal = ProviderFact(
            type: .disputeOpened, providerObjectID: "1Y107995YT783435V", relatedProviderObjectID: "0JF852973C016714D",
            cofferID: "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6", amount: 132, currency: "USD", status: "COMPLETED",
            occurredAt: when)
        let order = { (type: ProviderEventType, status: String) in
            ProviderFact(
                type: type, providerObjectID: "5O190127TN364715T", cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                amount: 10000, currency: "USD", status: status, occurredAt: when)
        }
        let item = { (type: ProviderEventType, status: String, reason: String?) in
            ProviderFact(
                type: type, providerObjectID: "8AELMXH8UB2P8", cofferID: "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7",
                amount: 100, currency: "USD", status: status, failureReason: reason, occurredAt: when)
        }
        let declinedDetails = #""status_details": {"reason": "DECLINED_BY_RISK_FRAUD_FILTERS"},"#
        var cases: [(type: String, resource: String, fact: ProviderFact)] = [
            ("PAYMENT.CAPTURE.COMPLETED", Self.capture(status: "COMPLETED"), capture),
            ("PAYMENT.CAPTURE.DENIED", Self.capture(status: "DECLINED", details: declinedDetails), denied),
            ("PAYMENT.CAPTURE.DECLINED", Self.capture(status: "DECLINED", details: declinedDetails), denied),
            ("PAYMENT.CAPTURE.REFUNDED", Self.refund(), refund),
            ("PAYMENT.CAPTURE.REVERSED", Self.refund(), reversal),
            (
                "CHECKOUT.ORDER.APPROVED", Self.order(status: "APPROVED", unit: Self.unit),
                order(.paymentAuthorized, "APPROVED")
            ),
            (
                "CHECKOUT.ORDER.COMPLETED", Self.order(status: "COMPLETED", unit: Self.unit),
                order(.paymentCaptured, "COMPLETED")
            ),
            (
                "PAYMENT.PAYOUTS-ITEM.SUCCEEDED", Self.payoutItem(status: "SUCCESS"),
                item(.payoutProcessed, "SUCCESS", nil)
            ),
            (
                "CUSTOMER.DISPUTE.CREATED", Self.dispute,
                ProviderFact(
                    type: .disputeOpened, providerObjectID: "PP-000-042-663-135",
                    relatedProviderObjectID: "00D10444LD479031K", amount: 300, currency: "USD", status: "OPEN",
                    failureReason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED", occurredAt: when)
            ),
        ]
        for word in ["FAILED", "BLOCKED", "DENIED", "CANCELED"] {
            cases.append(
                (
                    "PAYMENT.PAYOUTS-ITEM.\(word)", Self.payoutItem(status: word),
                    item(.payoutFailed, word, "RECEIVER_UNREGISTERED")
                ))
        }
        for word in ["RETURNED", "REFUNDED", "REVERSED"] {
            cases.append(
                ("PAYMENT.PAYOUTS-ITEM.\(word)", Self.payoutItem(status: word), item(.payoutReversed, word, nil)))
        }
        for (type, resource, fact) in cases {
            let result = try NormalizerHarness.normalize(.paypal, Self.event(type, resource))
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertEqual(result.providerEventID, "WH-58D329510W468432D-8HN650336L201105X")
            XCTAssertNil(result.livemode)
            XCTAssertEqual(result.event, fact, type)
        }
    }

    func testRefundFallsBackToInvoiceIDAndFollowsItsStatus() throws {
        let invoice = try NormalizerHarness.normalize(
            .paypal, Self.event("PAYMENT.CAPTURE.REFUNDED", Self.refund(customID: "")))
        XCTAssertEqual(invoice.event?.cofferID, "INV-1234")
        let failed = try NormalizerHarness.normalize(
            .paypal, Self.event("PAYMENT.CAPTURE.REFUNDED", Self.refund(status: "FAILED")))
        XCTAssertEqual(failed.event?.type, .refundFailed)
        let pending = try NormalizerHarness.normalize(
            .paypal, Self.event("PAYMENT.CAPTURE.REFUNDED", Self.refund(status: "PENDING")))
        XCTAssertNil(pending.event)
    }

    func testOrderCofferIDIgnoresPayPalsDefaultReference() throws {
        let reference =
            #"{"reference_id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4YB", "amount": {"currency_code": "USD", "value": "5"}}"#
        let fromReference = try NormalizerHarness.normalize(
            .paypal, Self.event("CHECKOUT.ORDER.APPROVED", Self.order(status: "APPROVED", unit: reference)))
        XCTAssertEqual(fromReference.event?.cofferID, "pay_01JD3XK5M7Q8R9S0T1V2W3X4YB")
        XCTAssertEqual(fromReference.event?.amount, 500)
        let placeholder = #"{"reference_id": "default", "amount": {"currency_code": "USD", "value": "5.00"}}"#
        let none = try NormalizerHarness.normalize(
            .paypal, Self.event("CHECKOUT.ORDER.APPROVED", Self.order(status: "APPROVED", unit: placeholder)))
        XCTAssertNil(none.event?.cofferID)
    }

    func testMajorUnitStringsConvertExactly() throws {
        let cases: [(value: String, currency: String, minor: Int64)] = [
            ("10.50", "USD", 1050), ("10.5", "USD", 1050), ("10.500", "USD", 1050), ("0.01", "USD", 1),
            ("1000", "JPY", 1000), ("1.234", "KWD", 1234), ("1", "KWD", 1000),
            ("92233720368547758.07", "USD", Int64.max),
        ]
        for (value, currency, minor) in cases {
            let result = try NormalizerHarness.normalize(
                .paypal,
                Self.event(
                    "PAYMENT.CAPTURE.COMPLETED", Self.capture(status: "COMPLETED", value: value, currency: currency)))
            XCTAssertEqual(result.event?.amount, minor, "\(value) \(currency)")
            XCTAssertEqual(result.event?.currency, currency)
        }
    }

    func testPendingAndUnsettledTypesAreNotForwarded() throws {
        let cases = [
            ("PAYMENT.CAPTURE.PENDING", Self.capture(status: "PENDING")),
            ("PAYMENT.PAYOUTS-ITEM.UNCLAIMED", Self.payoutItem(status: "UNCLAIMED")),
            ("PAYMENT.PAYOUTS-ITEM.HELD", Self.payoutItem(status: "HELD")),
            ("PAYMENT.AUTHORIZATION.CREATED", #"{"id": "0VF52814937998046"}"#),
            ("CUSTOMER.DISPUTE.RESOLVED", Self.dispute),
        ]
        for (type, resource) in cases {
            let result = try NormalizerHarness.normalize(.paypal, Self.event(type, resource))
            XCTAssertNil(result.event, type)
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertEqual(result.providerEventID, "WH-58D329510W468432D-8HN650336L201105X")
        }
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let completed = { (value: String, currency: String) in
            Self.event("PAYMENT.CAPTURE.COMPLETED", Self.capture(status: "COMPLETED", value: value, currency: currency))
        }
        let refused: [(json: String, field: String)] = [
            (completed("10.505", "USD"), "resource.amount.value"),
            (completed("1.5", "JPY"), "resource.amount.value"),
            (completed("-10.50", "USD"), "resource.amount.value"),
            (completed("1e3", "USD"), "resource.amount.value"),
            (completed("SECRETX", "USD"), "resource.amount.value"),
            (completed(".50", "USD"), "resource.amount.value"),
            (completed("92233720368547758.08", "USD"), "resource.amount.value"),
            (completed("10.50", "SECRETX"), "resource.amount.currency_code"),
            (completed("10.50", "ABC"), "resource.amount.currency_code"),
            (
                Self.event("PAYMENT.CAPTURE.COMPLETED", #"{"id": "27M", "amount": {"value": "1.00"}}"#),
                "resource.amount.currency"
            ),
            (
                Self.event(
                    "PAYMENT.CAPTURE.COMPLETED", #"{"id": "27M", "amount": {"value": 10.5, "currency_code": true}}"#),
                "resource.amount.currency_code"
            ),
            (
                Self.event("PAYMENT.CAPTURE.COMPLETED", #"{"amount": {"value": "1.00", "currency_code": "USD"}}"#),
                "resource.id"
            ),
            (Self.event("PAYMENT.CAPTURE.COMPLETED", #"{"id": "27M", "amount": "SECRETX"}"#), "resource.amount"),
            (Self.event("PAYMENT.CAPTURE.COMPLETED", #""SECRETX""#), "resource"),
            (
                Self.event("PAYMENT.PAYOUTS-ITEM.SUCCEEDED", #"{"payout_item": {"sender_item_id": "x"}}"#),
                "resource.payout_item_id"
            ),
            (Self.event("CUSTOMER.DISPUTE.CREATED", #"{"status": "OPEN"}"#), "resource.dispute_id"),
            (#"{"id": "WH-1", "create_time": "SECRETX", "event_type": "X", "resource": {}}"#, "create_time"),
            (
                #"{"id": "WH-1", "create_time": "2019-02-30T00:00:00Z", "event_type": "X", "resource": {}}"#,
                "create_time"
            ),
            (#"{"id": "WH-1", "resource": {}}"#, "event_type"),
            (#"{"event_type": "X", "resource": {}}"#, "id"),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.paypal, json, naming: field, secret: "SECRETX")
        }
    }
}
