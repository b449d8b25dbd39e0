import Foundation
import HTTP
import Shared
import XCTest

@testable import Ingress

/// v2 fixtures follow PhonePe's webhook samples (developer.phonepe.com "Handling Webhooks": `type` plus
/// the newer `event`, `payload.state`, amounts in paise) and the v2 SDK's CallbackResponse/CallbackData
/// fields (phonepe-pg-sdk-python); v1 fixtures are the base64-wrapped Check Status response the v1
/// "Server to Server Callback" page describes.
final class PhonePeNormalizerTests: XCTestCase {
    static func order(
        event: String?, type: String?, state: String = "COMPLETED", amount: String = "10000",
        extra: String = ""
    ) -> String {
        let names = [event.map { #""event": "\#($0)""# }, type.map { #""type": "\#($0)""# }].compactMap { $0 }
        return #"""
            {\#(names.joined(separator: ", ")), "payload": {"merchantId": "M2306160483220675579140",
             "orderId": "OMO2403282020198641071317", "merchantOrderId": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
             "state": "\#(state)", "amount": \#(amount), "expireAt": 1724866793837, \#(extra)
             "paymentDetails": [{"paymentMode": "UPI_QR", "transactionId": "OM2403282020198651071949",
                                 "timestamp": 1711637419547, "amount": \#(amount), "state": "\#(state)"}]}}
            """#
    }

    static func refund(event: String, state: String) -> String {
        #"""
        {"event": "\#(event)", "type": "\#(event.uppercased().replacingOccurrences(of: ".", with: "_"))",
         "payload": {"merchantId": "M2306160483220675579140", "merchantRefundId": "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6",
          "originalMerchantOrderId": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", "refundId": "OMR7878098045517540996",
          "state": "\#(state)", "amount": 2500, "timestamp": 1730869961754, "errorCode": "INTERNAL_SERVER_ERROR"}}
        """#
    }

    static func v1(_ decoded: String) -> String {
        #"{"response": "\#(Base64.encode(Array(decoded.utf8)))"}"#
    }

    static func v1Status(code: String, state: String, responseCode: String, amount: String = "100") -> String {
        #"""
        {"success": \#(code == "PAYMENT_SUCCESS"), "code": "\#(code)", "message": "Your request has been processed.",
         "data": {"merchantId": "PGTESTPAYUAT", "merchantTransactionId": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
          "transactionId": "T2111221437456190170379", "amount": \#(amount), "state": "\#(state)",
          "responseCode": "\#(responseCode)", "paymentInstrument": {"type": "UPI", "utr": "206378866112"}}}
        """#
    }

    func testV2OrderAndRefundCallbacksMapToCofferFacts() throws {
        let paid = NormalizerHarness.date(1_711_637_419.547)
        let captured = ProviderFact(
            type: .paymentCaptured, providerObjectID: "OMO2403282020198641071317",
            cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
            amount: 10000, currency: "INR", status: "COMPLETED", occurredAt: paid)
        var failed = captured
        failed.type = .paymentFailed
        failed.status = "FAILED"
        failed.failureReason = "TXN_AUTO_FAILED"
        let failedExtra = #""errorCode": "TXN_AUTO_FAILED", "detailedErrorCode": "ZM","#
        let refund = ProviderFact(
            type: .refundSucceeded, providerObjectID: "OMR7878098045517540996",
            relatedProviderObjectID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", cofferID: "re_01JD3XK5M7Q8R9S0T1V2W3X4Y6",
            amount: 2500, currency: "INR", status: "COMPLETED")
        var refundFailed = refund
        refundFailed.type = .refundFailed
        refundFailed.status = "FAILED"
        refundFailed.failureReason = "INTERNAL_SERVER_ERROR"
        let cases: [(json: String, type: String, fact: ProviderFact)] = [
            (Self.order(event: "pg.order.completed", type: "PG_ORDER_COMPLETED"), "pg.order.completed", captured),
            (Self.order(event: nil, type: "PG_ORDER_COMPLETED"), "PG_ORDER_COMPLETED", captured),
            (
                Self.order(event: "checkout.order.completed", type: "CHECKOUT_ORDER_COMPLETED"),
                "checkout.order.completed",
                captured
            ),
            (Self.order(event: nil, type: "CHECKOUT_ORDER_COMPLETED"), "CHECKOUT_ORDER_COMPLETED", captured),
            (
                Self.order(event: "pg.order.failed", type: "PG_ORDER_FAILED", state: "FAILED", extra: failedExtra),
                "pg.order.failed", failed
            ),
            (
                Self.order(event: "checkout.order.failed", type: nil, state: "FAILED", extra: failedExtra),
                "checkout.order.failed", failed
            ),
            (Self.refund(event: "pg.refund.completed", state: "COMPLETED"), "pg.refund.completed", refund),
            (Self.refund(event: "pg.refund.failed", state: "FAILED"), "pg.refund.failed", refundFailed),
        ]
        for (json, type, fact) in cases {
            let result = try NormalizerHarness.normalize(.phonepe, json)
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertNil(result.providerEventID)
            XCTAssertNil(result.livemode)
            XCTAssertEqual(result.event, fact, type)
        }
    }

    func testV2StateDecidesTheOutcome() throws {
        let failedState = try NormalizerHarness.normalize(
            .phonepe, Self.order(event: "pg.order.completed", type: "PG_ORDER_COMPLETED", state: "FAILED"))
        XCTAssertEqual(failedState.event?.type, .paymentFailed)
        let pending = try NormalizerHarness.normalize(
            .phonepe, Self.order(event: "checkout.order.completed", type: nil, state: "PENDING"))
        XCTAssertNil(pending.event)
        let noState = try NormalizerHarness.normalize(
            .phonepe, #"{"type": "PG_ORDER_COMPLETED", "payload": {"orderId": "OMO1", "amount": 5}}"#)
        XCTAssertEqual(noState.event?.type, .paymentCaptured)
        XCTAssertEqual(noState.event?.amount, 5)
    }

    func testV2StepsAreNotForwarded() throws {
        for (event, type) in [
            ("pg.refund.accepted", "PG_REFUND_ACCEPTED"),
            ("pg.transaction.attempt.failed", "PG_TRANSACTION_ATTEMPT_FAILED"),
            ("checkout.transaction.attempt.failed", "CHECKOUT_TRANSACTION_ATTEMPT_FAILED"),
            ("subscription.cancelled", "SUBSCRIPTION_CANCELLED"),
        ] {
            let result = try NormalizerHarness.normalize(.phonepe, Self.order(event: event, type: type))
            XCTAssertNil(result.event, event)
            XCTAssertEqual(result.providerEventType, event)
        }
    }

    func testV1Base64CallbacksMapToCofferFacts() throws {
        let success = try Self.normalizeV1(
            Self.v1(Self.v1Status(code: "PAYMENT_SUCCESS", state: "COMPLETED", responseCode: "SUCCESS")))
        XCTAssertEqual(success.providerEventType, "PAYMENT_SUCCESS")
        XCTAssertNil(success.providerEventID)
        XCTAssertEqual(
            success.event,
            ProviderFact(
                type: .paymentCaptured, providerObjectID: "T2111221437456190170379",
                cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                amount: 100, currency: "INR", status: "COMPLETED"))
        for code in ["PAYMENT_ERROR", "PAYMENT_DECLINED", "PAYMENT_CANCELLED", "TIMED_OUT"] {
            let failed = try Self.normalizeV1(
                Self.v1(Self.v1Status(code: code, state: "FAILED", responseCode: "ZA")))
            XCTAssertEqual(failed.event?.type, .paymentFailed, code)
            XCTAssertEqual(failed.event?.failureReason, "ZA", code)
            XCTAssertEqual(failed.providerEventType, code)
        }
        for code in ["PAYMENT_PENDING", "BAD_REQUEST", "AUTHORIZATION_FAILED", "INTERNAL_SERVER_ERROR"] {
            let other = try Self.normalizeV1(
                Self.v1(Self.v1Status(code: code, state: "PENDING", responseCode: "X")))
            XCTAssertNil(other.event, code)
            XCTAssertEqual(other.providerEventType, code)
        }
        let merchantOnly = try Self.normalizeV1(
            Self.v1(
                #"{"code": "PAYMENT_ERROR", "data": {"merchantTransactionId": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", "amount": 100}}"#
            ))
        XCTAssertEqual(merchantOnly.event?.providerObjectID, "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5")
        XCTAssertEqual(merchantOnly.event?.failureReason, "PAYMENT_ERROR")
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let refused: [(json: String, field: String)] = [
            (Self.order(event: "pg.order.completed", type: nil, amount: "-1"), "payload.amount"),
            (Self.order(event: "pg.order.completed", type: nil, amount: "100.5"), "payload.amount"),
            (Self.order(event: "pg.order.completed", type: nil, amount: #""SECRETX""#), "payload.amount"),
            (Self.order(event: "pg.order.completed", type: nil, amount: "99999999999999999999"), "payload.amount"),
            (
                #"{"event": "pg.order.completed", "payload": {"merchantOrderId": "pay_1", "state": "COMPLETED"}}"#,
                "payload.orderId"
            ),
            (#"{"event": "pg.order.completed", "payload": "SECRETX"}"#, "payload"),
            (#"{"event": "pg.refund.completed", "payload": {"state": "COMPLETED", "amount": 1}}"#, "payload.refundId"),
            (#"{"event": 7, "payload": {}}"#, "event"),
            (#"{"payload": {}}"#, "type"),
            (#"{"response": "SECRETX!!"}"#, "response"),
            (#"{"response": "\#(Base64.encode(Array("SECRETX not json".utf8)))"}"#, "response"),
            (Self.v1(#"["SECRETX"]"#), "response"),
            (Self.v1(#"{"success": true, "data": {}}"#), "response.code"),
            (Self.v1(#"{"code": "PAYMENT_SUCCESS"}"#), "response.data"),
            (Self.v1(#"{"code": "PAYMENT_SUCCESS", "data": {"amount": 100}}"#), "response.data.transactionId"),
            (
                Self.v1(
                    Self.v1Status(code: "PAYMENT_SUCCESS", state: "COMPLETED", responseCode: "SUCCESS", amount: "-100")),
                "response.data.amount"
            ),
            (#"{"response": 12}"#, "response"),
        ]
        for (json, field) in refused {
            // v1 bodies are read as the scheme that signs them (X-VERIFY) reads them.
            let headers: HTTPHeaders = json.contains("\"response\"") ? Self.signedV1 : [:]
            NormalizerHarness.assertRefused(.phonepe, json, naming: field, secret: "SECRETX", headers: headers)
        }
    }

    static func normalizeV1(_ json: String) throws -> NormalizedWebhook {
        try NormalizerHarness.normalize(.phonepe, json, headers: signedV1)
    }

    /// The header a v1 (salt-key) callback is verified by; the normalizer reads what it signs.
    static let signedV1: HTTPHeaders = ["X-VERIFY": "00###1"]

    /// The review's finding: a genuine signed v1 body with an injected v2 `payload` read as signed v2 news.
    func testAV1SignedBodyIsReadOnlyFromWhatTheSignatureCovers() throws {
        let genuine = Self.v1(Self.v1Status(code: "PAYMENT_ERROR", state: "FAILED", responseCode: "ZA"))
        guard case .object(var body) = try JSONValue.parse(genuine) else { return XCTFail() }
        body["event"] = "pg.order.completed"
        body["payload"] = [
            "orderId": "OMO_injected", "merchantOrderId": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", "state": "COMPLETED",
            "amount": 100,
        ]
        let injected = String(decoding: JSONValue.object(body).serialized(), as: UTF8.self)
        NormalizerHarness.assertRefused(.phonepe, injected, naming: "event", headers: Self.signedV1)
        // The same body under the v2 credential scheme is read as v2, which is never acted on unconfirmed.
        let unsignedRead = try NormalizerHarness.normalize(.phonepe, injected)
        XCTAssertEqual(unsignedRead.event?.type, .paymentCaptured)
        // A v1 body without the extra fields reads as the failure it signs.
        let read = try NormalizerHarness.normalize(.phonepe, genuine, headers: Self.signedV1)
        XCTAssertEqual(read.event?.type, .paymentFailed)
    }
}
