import Contracts
import Foundation
import HTTP
import Shared
import XCTest

@testable import Ingress

/// Fixtures follow the Standard Webhooks spec's payload (`type`, `timestamp`, `data`; the id in the
/// `webhook-id` header, standardwebhooks.com / spec/standard-webhooks.md), carrying Coffer's own types.
final class StandardWebhooksNormalizerTests: XCTestCase {
    static let headers: HTTPHeaders = [
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    ]

    static func event(
        _ type: String, data: String = StandardWebhooksNormalizerTests.data(),
        timestamp: String = #""2022-11-03T20:26:10.344522Z""#
    )
        -> String
    {
        #"{"type": "\#(type)", "timestamp": \#(timestamp), "data": \#(data)}"#
    }

    static func data(amount: String = "1050", currency: String = #""usd""#, objectID: String = #""txn_8842""#) -> String
    {
        #"""
        {"object_id": \#(objectID), "related_object_id": "ord_77", "coffer_id": "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5",
         "amount": \#(amount), "currency": \#(currency), "status": "settled", "failure_reason": null}
        """#
    }

    func testEveryCofferTypeIsForwardedWithOrWithoutItsPrefix() throws {
        let when = try XCTUnwrap(Timestamp.parse("2022-11-03T20:26:10.344522Z"))
        for coffer in ProviderEventType.allCases {
            let bare = String(coffer.rawValue.dropFirst("provider.".count))
            for type in [bare, coffer.rawValue] {
                let result = try NormalizerHarness.normalize(.standard, Self.event(type), headers: Self.headers)
                XCTAssertEqual(result.providerEventType, type)
                XCTAssertEqual(result.providerEventID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
                XCTAssertNil(result.livemode)
                XCTAssertEqual(
                    result.event,
                    ProviderFact(
                        type: coffer, providerObjectID: "txn_8842", relatedProviderObjectID: "ord_77",
                        cofferID: "pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5", amount: 1050, currency: "USD", status: "settled",
                        occurredAt: when), type)
            }
        }
    }

    func testFailureReasonAndUnixTimestampsAreRead() throws {
        let data = #"{"object_id": "po_9", "failure_reason": "account_closed"}"#
        let result = try NormalizerHarness.normalize(
            .standard, Self.event("payout.failed", data: data, timestamp: "1614265330"), headers: Self.headers)
        XCTAssertEqual(
            result.event,
            ProviderFact(
                type: .payoutFailed, providerObjectID: "po_9", failureReason: "account_closed",
                occurredAt: NormalizerHarness.date(1_614_265_330)))
    }

    func testOtherTypesAreNotForwardedAndTheIDComesOnlyFromTheHeader() throws {
        for type in [
            "contact.created", "payment.refunded", "provider.payment", "provider.", "PAYMENT.CAPTURED",
            "provider.provider.payment.captured",
        ] {
            let result = try NormalizerHarness.normalize(.standard, Self.event(type, data: "{}"), headers: Self.headers)
            XCTAssertNil(result.event, type)
            XCTAssertEqual(result.providerEventType, type)
            XCTAssertEqual(result.providerEventID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
        }
        let withoutHeader = try NormalizerHarness.normalize(.standard, Self.event("payment.captured"))
        XCTAssertNil(withoutHeader.providerEventID)
        XCTAssertEqual(withoutHeader.event?.type, .paymentCaptured)
    }

    func testHostileBodiesAreRefusedNamingTheField() {
        let refused: [(json: String, field: String)] = [
            (Self.event("payment.captured", data: Self.data(amount: "-1")), "data.amount"),
            (Self.event("payment.captured", data: Self.data(amount: "10.50")), "data.amount"),
            (Self.event("payment.captured", data: Self.data(amount: #""1050""#)), "data.amount"),
            (Self.event("payment.captured", data: Self.data(amount: "18446744073709551616")), "data.amount"),
            (Self.event("payment.captured", data: Self.data(currency: #""SECRETX""#)), "data.currency"),
            (Self.event("payment.captured", data: Self.data(currency: "null")), "data.currency"),
            (Self.event("payment.captured", data: Self.data(objectID: "null")), "data.object_id"),
            (Self.event("payment.captured", data: Self.data(objectID: "[1]")), "data.object_id"),
            (Self.event("payment.captured", data: #""SECRETX""#), "data"),
            (#"{"type": "payment.captured", "timestamp": "2022-11-03T20:26:10Z"}"#, "data"),
            (Self.event("payment.captured", timestamp: #""SECRETX""#), "timestamp"),
            (Self.event("payment.captured", timestamp: "-5"), "timestamp"),
            (#"{"timestamp": "2022-11-03T20:26:10Z", "data": {}}"#, "type"),
            (#"{"type": "", "data": {}}"#, "type"),
        ]
        for (json, field) in refused {
            NormalizerHarness.assertRefused(.standard, json, naming: field, secret: "SECRETX", headers: Self.headers)
        }
        NormalizerHarness.assertRefused(
            .standard, Self.event("contact.created"), naming: "webhook-id",
            headers: ["webhook-id": String(repeating: "m", count: 300)])
    }
}

/// The registry: every provider Coffer speaks to has a normalizer, and it is the right one.
final class WebhookNormalizerRegistryTests: XCTestCase {
    func testEveryProviderHasItsOwnNormalizer() {
        let expected: [ProviderName: any WebhookNormalizer.Type] = [
            .stripe: StripeNormalizer.self, .razorpay: RazorpayNormalizer.self, .paypal: PayPalNormalizer.self,
            .phonepe: PhonePeNormalizer.self, .ikhokha: IKhokhaNormalizer.self, .mtn: MTNNormalizer.self,
            .airtel: AirtelNormalizer.self, .zamtel: ZamtelNormalizer.self, .paystack: PaystackNormalizer.self,
            .flutterwave: FlutterwaveNormalizer.self, .standard: StandardWebhooksNormalizer.self,
        ]
        XCTAssertEqual(Set(expected.keys), Set(ProviderName.allCases))
        for provider in ProviderName.allCases {
            let normalizer = WebhookNormalizers.normalizer(for: provider)
            XCTAssertTrue(type(of: normalizer) == expected[provider], provider.rawValue)
        }
    }

    /// Whatever the provider, hostile shapes end in a `NormalizationError` or a nil event, never a crash.
    func testNoProviderCrashesOnHostileShapes() throws {
        let bodies = [
            "null", "[]", "0", #""x""#, "{}", #"{"data": null}"#, #"{"type": null, "event": null}"#,
            #"""
            {"type": "payment.captured", "event": "charge.success", "event_type": "PAYMENT.CAPTURE.COMPLETED",
             "status": "SUCCESSFUL", "data": {"object": []}, "payload": [], "resource": 1, "transaction": "x",
             "response": "%%%", "id": {}}
            """#,
            #"{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi", "amount_received": 1e999999}}}"#,
            String(repeating: "[", count: 60) + String(repeating: "]", count: 60),
        ]
        for provider in ProviderName.allCases {
            for json in bodies {
                let body = try JSONValue.parse(json)
                do {
                    _ = try WebhookNormalizers.normalizer(for: provider).normalize(body: body, headers: [:])
                } catch {
                    XCTAssertFalse(error.message.isEmpty, "\(provider) \(json)")
                }
            }
        }
    }
}
