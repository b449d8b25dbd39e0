import Foundation
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow MTN MoMo's request-to-pay and transfer results (momodeveloper.mtn.com API reference:
/// the callback carries the final result in the same shape as the GET status response), reusing their
/// sample ids; `externalId` holds the Coffer id Coffer sends on the request.
final class MTNNormalizerTests: XCTestCase {
    static func requestToPay(
        status: String, amount: String = #""100""#, currency: String = #""UGX""#,
        financialID: String = #""financialTransactionId": "23503452","#,
        reason: String = ""
    ) -> String {
        #"""
        {\#(financialID) "externalId": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", "amount": \#(amount),
         "currency": \#(currency), "payer": {"partyIdType": "MSISDN", "partyId": "46733123454"},
         "payerMessage": "Order 1234", "payeeNote": "Thank you", \#(reason) "status": "\#(status)"}
        """#
    }

    static func transfer(status: String, reason: String = "") -> String {
        #"""
        {"financialTransactionId": "363440463", "externalId": "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7", "amount": "100.50",
         "currency": "EUR", "payee": {"partyIdType": "MSISDN", "partyId": "46733123453"},
         "payerMessage": "Payout", "payeeNote": "Payout", \#(reason) "status": "\#(status)"}
        """#
    }

    func testCollectionsAndDisbursementsMapToCofferFacts() throws {
        let captured = ProviderFact(
            type: .paymentCaptured, providerObjectID: "23503452", cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
            amount: 100, currency: "UGX", status: "SUCCESSFUL")
        let failedNoID = ProviderFact(
            type: .paymentFailed, providerObjectID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
            cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", amount: 100, currency: "UGX", status: "FAILED",
            failureReason: "APPROVAL_REJECTED")
        let processed = ProviderFact(
            type: .payoutProcessed, providerObjectID: "363440463", cofferID: "po_01JD3XK5M7Q8R9S0T1V2W3X4Y7",
            amount: 10050, currency: "EUR", status: "SUCCESSFUL")
        var payoutFailed = processed
        payoutFailed.type = .payoutFailed
        payoutFailed.status = "FAILED"
        payoutFailed.failureReason = "PAYEE_NOT_FOUND"
        let cases: [(json: String, fact: ProviderFact)] = [
            (Self.requestToPay(status: "SUCCESSFUL"), captured),
            (
                Self.requestToPay(status: "FAILED", financialID: "", reason: #""reason": "APPROVAL_REJECTED","#),
                failedNoID
            ),
            (Self.transfer(status: "SUCCESSFUL"), processed),
            (
                Self.transfer(
                    status: "FAILED",
                    reason: #""reason": {"code": "PAYEE_NOT_FOUND", "message": "Payee does not exist"},"#),
                payoutFailed
            ),
        ]
        for (json, fact) in cases {
            let result = try NormalizerHarness.normalize(.mtn, json)
            XCTAssertEqual(result.providerEventType, fact.status)
            XCTAssertNil(result.providerEventID)
            XCTAssertNil(result.livemode)
            XCTAssertEqual(result.event, fact)
        }
        for word in ["REJECTED", "TIMEOUT"] {
            XCTAssertEqual(
                try NormalizerHarness.normalize(.mtn, Self.requestToPay(status: word)).event?.type, .paymentFailed)
        }
        let messageOnly = try NormalizerHarness.normalize(
            .mtn, Self.transfer(status: "FAILED", reason: #""reason": {"message": "Not enough funds"},"#))
        XCTAssertEqual(messageOnly.event?.failureReason, "Not enough funds")
    }

    func testPendingIsNotForwarded() throws {
        for word in ["PENDING", "CREATED", "ONGOING"] {
            let result = try NormalizerHarness.normalize(.mtn, Self.requestToPay(status: word))
            XCTAssertNil(result.event, word)
            XCTAssertEqual(result.providerEventType, word)
        }
    }

    func testMajorUnitStringsConvertExactlyInTheBodysCurrency() throws {
        let cases: [(amount: String, currency: String, minor: Int64)] = [
            ("100", "UGX", 100), ("1500", "XOF", 1500), ("100.50", "GHS", 10050), ("0.5", "ZMW", 50),
            ("12", "EUR", 1200),
        ]
        for (amount, currency, minor) in cases {
            let result = try NormalizerHarness.normalize(
                .mtn, Self.requestToPay(status: "SUCCESSFUL", amount: "\"\(amount)\"", currency: "\"\(currency)\""))
            XCTAssertEqual(result.event?.amount, minor, "\(amount) \(currency)")
            XCTAssertEqual(result.event?.currency, currency)
        }
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let refused: [(json: String, field: String)] = [
            (Self.requestToPay(status: "SUCCESSFUL", amount: #""100.5""#), "amount"),  // UGX has no minor unit
            (Self.requestToPay(status: "SUCCESSFUL", amount: #""-100""#), "amount"),
            (Self.requestToPay(status: "SUCCESSFUL", amount: #""1,000""#), "amount"),
            (Self.requestToPay(status: "SUCCESSFUL", amount: #""SECRETX""#), "amount"),
            (Self.requestToPay(status: "SUCCESSFUL", amount: #""99999999999999999999""#), "amount"),
            (Self.requestToPay(status: "SUCCESSFUL", amount: "[]"), "amount"),
            (Self.requestToPay(status: "SUCCESSFUL", currency: #""SECRETX""#), "currency"),
            (Self.requestToPay(status: "SUCCESSFUL", currency: "null"), "currency"),
            (Self.requestToPay(status: "FAILED", reason: #""reason": 42,"#), "reason"),
            (#"{"externalId": "x", "amount": "1", "currency": "UGX", "status": "SUCCESSFUL"}"#, "payee"),
            (#"{"amount": "1", "currency": "UGX", "payer": {}, "status": "SUCCESSFUL"}"#, "financialTransactionId"),
            (#"{"externalId": "x", "payer": "SECRETX", "status": "SUCCESSFUL"}"#, "payer"),
            (#"{"externalId": "x", "payer": {}}"#, "status"),
            (#"{"externalId": "x", "payer": {}, "status": 1}"#, "status"),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.mtn, json, naming: field, secret: "SECRETX")
        }
    }
}

/// Zamtel is read with MTN's shape (assumed; see `ZamtelNormalizer`), in ZMW unless the body says otherwise.
final class ZamtelNormalizerTests: XCTestCase {
    func testMoMoShapedCallbacksDefaultToKwacha() throws {
        let noCurrency = #"""
            {"financialTransactionId": "ZM1029384756", "externalId": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", "amount": "250.75",
             "payer": {"partyIdType": "MSISDN", "partyId": "260951234567"}, "status": "SUCCESSFUL"}
            """#
        let result = try NormalizerHarness.normalize(.zamtel, noCurrency)
        XCTAssertEqual(
            result.event,
            ProviderFact(
                type: .paymentCaptured, providerObjectID: "ZM1029384756", cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
                amount: 25075, currency: "ZMW", status: "SUCCESSFUL"))
        XCTAssertEqual(result.providerEventType, "SUCCESSFUL")
        let payout = try NormalizerHarness.normalize(.zamtel, MTNNormalizerTests.transfer(status: "FAILED"))
        XCTAssertEqual(payout.event?.type, .payoutFailed)
        XCTAssertEqual(payout.event?.currency, "EUR")
        XCTAssertNil(try NormalizerHarness.normalize(.zamtel, MTNNormalizerTests.requestToPay(status: "PENDING")).event)
    }

    func testHostileBodiesAreRefused() {
        NormalizerHarness.assertRefused(
            .zamtel, #"{"externalId": "x", "amount": "1.005", "payer": {}, "status": "SUCCESSFUL"}"#, naming: "amount")
        NormalizerHarness.assertRefused(
            .zamtel, #"{"externalId": "x", "amount": "1", "status": "FAILED"}"#, naming: "payer")
        NormalizerHarness.assertRefused(.zamtel, #"["SECRETX"]"#, naming: "body", secret: "SECRETX")
    }
}
