import Contracts
import Foundation
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow Stripe's API reference examples (stripe.com/docs/api: the Event object, and the
/// PaymentIntent, Charge, Refund, Payout and Dispute object examples, whose ids they reuse); Coffer's
/// metadata keys are added where Coffer sets them. Event names were checked against the stripe SDK.
final class StripeNormalizerTests: XCTestCase {
    static let created: TimeInterval = 1_686_089_970

    static func event(_ type: String, _ object: String, livemode: String = "false") -> String {
        #"""
        {"id": "evt_1NG8Du2eZvKYlo2CUI79vXWy", "object": "event", "api_version": "2024-06-20",
         "created": 1686089970, "data": {"object": \#(object)}, "livemode": \#(livemode),
         "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null}, "type": "\#(type)"}
        """#
    }

    static func paymentIntent(
        status: String = "succeeded", amount: String = "2000", received: String = "2000",
        capturable: String = "0", currency: String = "\"usd\"",
        error: String = "null"
    ) -> String {
        #"""
        {"id": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "object": "payment_intent", "amount": \#(amount),
         "amount_capturable": \#(capturable), "amount_received": \#(received), "capture_method": "automatic",
         "currency": \#(currency), "latest_charge": "ch_3MtwBwLkdIwHu7ix28a3tqPa",
         "last_payment_error": \#(error), "livemode": false,
         "metadata": {"coffer_payment_id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5"}, "status": "\#(status)"}
        """#
    }

    static func charge(
        captured: Bool = true, paymentIntent: String = "\"pi_3MtwBwLkdIwHu7ix28a3tqPa\"",
        status: String = "succeeded", failureCode: String = "null"
    ) -> String {
        #"""
        {"id": "ch_3MmlLrLkdIwHu7ix0snN0B15", "object": "charge", "amount": 1099,
         "amount_captured": \#(captured ? 1099 : 0), "amount_refunded": 0, "captured": \#(captured),
         "currency": "usd", "failure_code": \#(failureCode), "failure_message": null, "livemode": false,
         "metadata": {}, "paid": true, "payment_intent": \#(paymentIntent), "status": "\#(status)"}
        """#
    }

    static func refund(status: String, failureReason: String = "null") -> String {
        #"""
        {"id": "re_1Nispe2eZvKYlo2Cd31jOCgZ", "object": "refund", "amount": 1000,
         "charge": "ch_1NirD82eZvKYlo2CIvbtLWuY", "created": 1692942318, "currency": "usd",
         "failure_reason": \#(failureReason), "metadata": {"coffer_refund_id": "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6"},
         "payment_intent": "pi_1GszsK2eZvKYlo2CfhZyoZLp", "reason": null, "status": "\#(status)"}
        """#
    }

    static func payout(status: String, failureCode: String = "null") -> String {
        #"""
        {"id": "po_1OaFDbEcg9tTZuTgNYmX9PKB", "object": "payout", "amount": 1100, "arrival_date": 1680652800,
         "currency": "usd", "failure_code": \#(failureCode), "failure_message": null, "livemode": false,
         "metadata": {"coffer_payout_id": "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7"}, "method": "standard",
         "status": "\#(status)", "type": "bank_account"}
        """#
    }

    static let dispute = #"""
        {"id": "du_1MtJUT2eZvKYlo2CNaw2HvEv", "object": "dispute", "amount": 1000,
         "charge": "ch_1AZtxr2eZvKYlo2CJDX8whov", "created": 1680651737, "currency": "usd",
         "livemode": false, "metadata": {}, "payment_intent": null, "reason": "general",
         "status": "warning_needs_response"}
        """#

    func testForwardedTypesMapToCofferFacts() throws {
        let when = NormalizerHarness.date(Self.created)
        let pi = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
        let payment = "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5"
        let cases: [(type: String, object: String, fact: ProviderFact)] = [
            (
                "payment_intent.succeeded", Self.paymentIntent(),
                ProviderFact(
                    type: .paymentCaptured, providerObjectID: pi, cofferID: payment, amount: 2000,
                    currency: "USD", status: "succeeded", occurredAt: when)
            ),
            (
                "payment_intent.amount_capturable_updated",
                Self.paymentIntent(status: "requires_capture", received: "0", capturable: "2000"),
                ProviderFact(
                    type: .paymentAuthorized, providerObjectID: pi, cofferID: payment, amount: 2000,
                    currency: "USD", status: "requires_capture", occurredAt: when)
            ),
            (
                "payment_intent.payment_failed",
                Self.paymentIntent(
                    status: "requires_payment_method", received: "0",
                    error: #"{"code": "card_declined", "decline_code": "insufficient_funds"}"#),
                ProviderFact(
                    type: .paymentFailed, providerObjectID: pi, cofferID: payment, amount: 2000,
                    currency: "USD", status: "requires_payment_method", failureReason: "card_declined",
                    occurredAt: when)
            ),
            (
                "charge.succeeded", Self.charge(),
                ProviderFact(
                    type: .paymentCaptured, providerObjectID: pi,
                    relatedProviderObjectID: "ch_3MmlLrLkdIwHu7ix0snN0B15", amount: 1099, currency: "USD",
                    status: "succeeded", occurredAt: when)
            ),
            (
                "charge.succeeded", Self.charge(captured: false),
                ProviderFact(
                    type: .paymentAuthorized, providerObjectID: pi,
                    relatedProviderObjectID: "ch_3MmlLrLkdIwHu7ix0snN0B15", amount: 1099, currency: "USD",
                    status: "succeeded", occurredAt: when)
            ),
            (
                "charge.succeeded", Self.charge(paymentIntent: "null"),
                ProviderFact(
                    type: .paymentCaptured, providerObjectID: "ch_3MmlLrLkdIwHu7ix0snN0B15", amount: 1099,
                    currency: "USD", status: "succeeded", occurredAt: when)
            ),
            (
                "charge.captured", Self.charge(),
                ProviderFact(
                    type: .paymentCaptured, providerObjectID: pi,
                    relatedProviderObjectID: "ch_3MmlLrLkdIwHu7ix0snN0B15", amount: 1099, currency: "USD",
                    status: "succeeded", occurredAt: when)
            ),
            (
                "charge.failed", Self.charge(captured: false, status: "failed", failureCode: #""card_declined""#),
                ProviderFact(
                    type: .paymentFailed, providerObjectID: pi,
                    relatedProviderObjectID: "ch_3MmlLrLkdIwHu7ix0snN0B15", amount: 1099, currency: "USD",
                    status: "failed", failureReason: "card_declined", occurredAt: when)
            ),
            (
                "payout.paid", Self.payout(status: "paid"),
                ProviderFact(
                    type: .payoutProcessed, providerObjectID: "po_1OaFDbEcg9tTZuTgNYmX9PKB",
                    cofferID: "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7", amount: 1100, currency: "USD", status: "paid",
                    occurredAt: when)
            ),
            (
                "payout.failed", Self.payout(status: "failed", failureCode: #""account_closed""#),
                ProviderFact(
                    type: .payoutFailed, providerObjectID: "po_1OaFDbEcg9tTZuTgNYmX9PKB",
                    cofferID: "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7", amount: 1100, currency: "USD", status: "failed",
                    failureReason: "account_closed", occurredAt: when)
            ),
            (
                "payout.canceled", Self.payout(status: "canceled"),
                ProviderFact(
                    type: .payoutFailed, providerObjectID: "po_1OaFDbEcg9tTZuTgNYmX9PKB",
                    cofferID: "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7", amount: 1100, currency: "USD",
                    status: "canceled", occurredAt: when)
            ),
            (
                "charge.dispute.created", Self.dispute,
                ProviderFact(
                    type: .disputeOpened, providerObjectID: "du_1MtJUT2eZvKYlo2CNaw2HvEv",
                    relatedProviderObjectID: "ch_1AZtxr2eZvKYlo2CJDX8whov", amount: 1000, currency: "USD",
                    status: "warning_needs_response", failureReason: "general", occurredAt: when)
            ),
        ]
        for (type, object, fact) in cases {
            let result = try NormalizerHarness.normalize(.stripe, Self.event(type, object))
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertEqual(result.providerEventID, "evt_1NG8Du2eZvKYlo2CUI79vXWy")
            XCTAssertEqual(result.livemode, false)
            XCTAssertEqual(result.event, fact, type)
        }
    }

    func testRefundEventsForwardOnlySettledStatuses() throws {
        let refund = { (type: ProviderEventType, status: String, reason: String?) in
            ProviderFact(
                type: type, providerObjectID: "re_1Nispe2eZvKYlo2Cd31jOCgZ",
                relatedProviderObjectID: "pi_1GszsK2eZvKYlo2CfhZyoZLp", cofferID: "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6",
                amount: 1000, currency: "USD", status: status, failureReason: reason,
                occurredAt: NormalizerHarness.date(Self.created))
        }
        for type in ["refund.created", "refund.updated", "charge.refund.updated"] {
            let succeeded = try NormalizerHarness.normalize(.stripe, Self.event(type, Self.refund(status: "succeeded")))
            XCTAssertEqual(succeeded.event, refund(.refundSucceeded, "succeeded", nil), type)
            let failed = try NormalizerHarness.normalize(
                .stripe, Self.event(type, Self.refund(status: "failed", failureReason: #""lost_or_stolen_card""#)))
            XCTAssertEqual(failed.event, refund(.refundFailed, "failed", "lost_or_stolen_card"), type)
            let canceled = try NormalizerHarness.normalize(.stripe, Self.event(type, Self.refund(status: "canceled")))
            XCTAssertEqual(canceled.event?.type, .refundFailed, type)
            for status in ["pending", "requires_action"] {
                let open = try NormalizerHarness.normalize(.stripe, Self.event(type, Self.refund(status: status)))
                XCTAssertNil(open.event, "\(type) \(status)")
                XCTAssertEqual(open.providerEventType, type)
            }
        }
        let failed = try NormalizerHarness.normalize(
            .stripe,
            Self.event("refund.failed", Self.refund(status: "failed", failureReason: #""expired_or_canceled_card""#)))
        XCTAssertEqual(failed.event, refund(.refundFailed, "failed", "expired_or_canceled_card"))
    }

    func testTypesCofferDoesNotForwardAreKeptWithoutAnEvent() throws {
        for type in ["charge.refunded", "payment_intent.created", "customer.created", "payout.created"] {
            let result = try NormalizerHarness.normalize(.stripe, Self.event(type, Self.charge(), livemode: "true"))
            XCTAssertNil(result.event, type)
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertEqual(result.providerEventID, "evt_1NG8Du2eZvKYlo2CUI79vXWy")
            XCTAssertEqual(result.livemode, true)
        }
        // Not forwarded, so its object is not read: an odd object is no reason to refuse the event.
        let odd = try NormalizerHarness.normalize(.stripe, Self.event("customer.created", #""not an object""#))
        XCTAssertNil(odd.event)
    }

    func testAmountsPassThroughExactlyIncludingZeroDecimalAndHugeValues() throws {
        let huge = try NormalizerHarness.normalize(
            .stripe, Self.event("payment_intent.succeeded", Self.paymentIntent(received: "900719925474099300")))
        XCTAssertEqual(huge.event?.amount, 900_719_925_474_099_300)
        let max = try NormalizerHarness.normalize(
            .stripe, Self.event("payment_intent.succeeded", Self.paymentIntent(received: "9223372036854775807")))
        XCTAssertEqual(max.event?.amount, Int64.max)
        let yen = try NormalizerHarness.normalize(
            .stripe, Self.event("payment_intent.succeeded", Self.paymentIntent(received: "1000", currency: #""jpy""#)))
        XCTAssertEqual(yen.event?.amount, 1000)
        XCTAssertEqual(yen.event?.currency, "JPY")
        let zero = try NormalizerHarness.normalize(
            .stripe, Self.event("payment_intent.succeeded", Self.paymentIntent(received: "-0")))
        XCTAssertEqual(zero.event?.amount, 0)
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let refused: [(json: String, field: String)] = [
            (
                Self.event("payment_intent.succeeded", Self.paymentIntent(received: "-2000")),
                "data.object.amount_received"
            ),
            (
                Self.event("payment_intent.succeeded", Self.paymentIntent(received: "20.5")),
                "data.object.amount_received"
            ),
            (
                Self.event("payment_intent.succeeded", Self.paymentIntent(received: "2e3")),
                "data.object.amount_received"
            ),
            (
                Self.event("payment_intent.succeeded", Self.paymentIntent(received: "9223372036854775808")),
                "data.object.amount_received"
            ),
            (
                Self.event("payment_intent.succeeded", Self.paymentIntent(received: #""2000""#)),
                "data.object.amount_received"
            ),
            (
                Self.event("payment_intent.succeeded", Self.paymentIntent(currency: #""SECRETX""#)),
                "data.object.currency"
            ),
            (Self.event("payment_intent.succeeded", Self.paymentIntent(currency: #""xyz""#)), "data.object.currency"),
            (Self.event("payment_intent.succeeded", Self.paymentIntent(currency: "840")), "data.object.currency"),
            (Self.event("payment_intent.succeeded", Self.paymentIntent(currency: "null")), "data.object.currency"),
            (
                Self.event(
                    "payment_intent.succeeded",
                    #"{"object": "payment_intent", "amount_received": 5, "currency": "usd"}"#),
                "data.object.id"
            ),
            (Self.event("payment_intent.succeeded", #"{"id": 12345, "currency": "usd"}"#), "data.object.id"),
            (Self.event("payment_intent.succeeded", #"["SECRETX"]"#), "data.object"),
            (
                Self.event("charge.succeeded", #"{"id": "ch_1", "amount": 5, "currency": "usd"}"#),
                "data.object.captured"
            ),
            (
                Self.event("charge.succeeded", #"{"id": "ch_1", "captured": "yes", "currency": "usd"}"#),
                "data.object.captured"
            ),
            (Self.event("payment_intent.succeeded", Self.paymentIntent(), livemode: #""SECRETX""#), "livemode"),
            (#"{"id": "evt_1", "created": 1, "livemode": false, "data": {}}"#, "type"),
            (#"{"id": "evt_1", "type": 42, "data": {}}"#, "type"),
            (#"{"type": "payment_intent.succeeded", "data": {"object": {}}}"#, "id"),
            (#"{"id": "evt_1", "type": "customer.created", "created": "SECRETX"}"#, "created"),
            (#"{"id": "evt_1", "type": "customer.created", "created": -1}"#, "created"),
            (#"{"id": "evt_1", "type": "customer.created", "created": 1e300}"#, "created"),
            (#"["SECRETX"]"#, "body"),
            (
                Self.event(
                    "payment_intent.succeeded",
                    #"{"id": "pi_1", "metadata": {"coffer_payment_id": 99}, "amount_received": 1, "currency": "usd"}"#),
                "data.object.metadata.coffer_payment_id"
            ),
            (
                Self.event("payment_intent.succeeded", #"{"id": "\#(String(repeating: "p", count: 300))"}"#),
                "data.object.id"
            ),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.stripe, json, naming: field, secret: "SECRETX")
        }
    }
}
