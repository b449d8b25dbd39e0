import Foundation
import Shared
import XCTest

@testable import Contracts

final class EventEnvelopeTests: XCTestCase {
    func testRoundTripKeepsDataExact() throws {
        let data: JSONValue = ["amount": .number("9007199254740993"), "currency": "INR", "nested": ["a": [1, 2]]]
        let event = EventEnvelope(
            type: "provider.payment.captured", source: "ingress", tenantID: "ten_1",
            occurredAt: Date(timeIntervalSince1970: 1_763_743_680.123), correlationID: "c-1", data: data)
        let decoded = try EventEnvelope.decodeBatch(EventEnvelope.encodeBatch([event, event]))
        XCTAssertEqual(decoded.count, 2)
        XCTAssertEqual(decoded[0], event)
        XCTAssertEqual(decoded[0].data["amount"]?.int64Value, 9_007_199_254_740_993)
    }

    func testMalformedEnvelopesNameTheField() throws {
        let good = EventEnvelope(type: "t", source: "s", tenantID: nil, correlationID: nil, data: [:]).jsonValue
        for (field, value) in [
            ("id", JSONValue.string("pay_1")), ("type", .string("")), ("occurred_at", .string("yesterday")),
            ("data", .string("x")), ("tenant_id", .int(3)),
        ] {
            guard case .object(var object) = good else { return XCTFail() }
            object[field] = value
            XCTAssertThrowsError(try EventEnvelope(json: .object(object))) { error in
                XCTAssertEqual((error as? EventEnvelopeError)?.field, field)
            }
        }
        XCTAssertThrowsError(try EventEnvelope.decodeBatch(Array("{}".utf8)))
    }
}

final class ProviderEventDataJSONTests: XCTestCase {
    func testDirectWritersProduceTheCanonicalDocuments() throws {
        let full = ProviderEventData(
            provider: "stripe", providerEventID: "evt_1", providerEventType: "payment_intent.succeeded",
            objectType: "payment", providerObjectID: "pi_\"quoted\"", relatedProviderObjectID: "ch_1",
            cofferID: "pay_1", amount: 9_007_199_254_740_993, currency: "USD", status: "succeeded",
            failureReason: "line\nbreak", livemode: true, needsConfirmation: false, connectorID: "con_1",
            occurredAt: Date(timeIntervalSince1970: 1_763_743_680.5))
        let sparse = ProviderEventData(
            provider: "mtn", providerEventID: nil, providerEventType: "SUCCESSFUL", objectType: "payout",
            providerObjectID: "x", livemode: false, needsConfirmation: true, connectorID: "",
            occurredAt: Date(timeIntervalSince1970: 0))
        for data in [full, sparse] {
            var writer = JSONWriter()
            data.writeJSON(into: &writer)
            XCTAssertEqual(writer.bytes, data.jsonValue.serialized())
            var envelopeWriter = JSONWriter()
            EventEnvelope.write(
                id: "evt_01J", type: "provider.payment.captured", source: "ingress", tenantID: "ten_1",
                occurredAt: data.occurredAt, correlationID: nil, dataJSON: writer.bytes, into: &envelopeWriter)
            let envelope = EventEnvelope(
                id: "evt_01J", type: "provider.payment.captured", source: "ingress", tenantID: "ten_1",
                occurredAt: data.occurredAt, correlationID: nil, data: data.jsonValue)
            XCTAssertEqual(envelopeWriter.bytes, envelope.jsonValue.serialized())
        }
    }
}
