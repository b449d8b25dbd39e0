import Foundation
import Shared
import XCTest

@testable import Contracts

/// Producers encode event payloads and consumers decode them with the same types: every money event
/// round-trips exactly through the envelope, amounts travel as minor units with their currency, and a
/// payload with a malformed id, an unknown currency or a missing amount is refused when decoded.
final class MoneyEventContractTests: XCTestCase {
    let tenant = TenantID.generate()
    let payee = PayeeID.generate()

    func roundTrip<T: Codable & Equatable>(_ payload: T, file: StaticString = #filePath, line: UInt = #line) throws
        -> JSONValue
    {
        let event = try EventEnvelope.make(
            type: "test.event", source: "test", tenantID: tenant.rawValue, correlationID: nil, payload: payload)
        let decoded = try EventEnvelope.decodeBatch(EventEnvelope.encodeBatch([event]))[0]
        XCTAssertEqual(try decoded.decodeData(T.self), payload, file: file, line: line)
        return decoded.data
    }

    func testEveryMoneyEventRoundTripsWithMinorUnitsAndItsCurrency() throws {
        let money = Money(minorUnits: 9_007_199_254_740_993, currency: .inr)
        let change = PayeeBalanceChange(
            payeeID: payee, tenantID: tenant, livemode: true, money: money, reason: "payment_captured",
            sourceID: "pay_1", paymentID: "pay_1")
        let changeData = try roundTrip(change)
        XCTAssertEqual(
            changeData["amount"]?.int64Value, 9_007_199_254_740_993, "an amount beyond a double's precision stays exact"
        )
        XCTAssertEqual(changeData["currency"]?.stringValue, "INR")
        XCTAssertEqual(changeData["payee_id"]?.stringValue, payee.rawValue)

        let payout = PayoutEventData(
            payoutID: PayoutID.generate(), payeeID: payee, tenantID: tenant, livemode: false,
            money: Money(minorUnits: 1_000, currency: .zmw), status: "held", holdReasons: ["shared_destination"])
        let payoutData = try roundTrip(payout)
        XCTAssertEqual(payoutData["payout_id"]?.stringValue, payout.payoutID.rawValue)
        XCTAssertEqual(payoutData["hold_reasons"]?.arrayValue, ["shared_destination"])

        _ = try roundTrip(
            PayeeUpserted(
                payeeID: payee, tenantID: tenant, livemode: true, recruiterPayeeID: PayeeID.generate(),
                status: "active", version: 3))
    }

    func testMalformedPayloadsAreRefusedWhenDecoded() throws {
        let good = try EventEnvelope.make(
            type: "payee.credited", source: "payments", tenantID: tenant.rawValue, correlationID: nil,
            payload: PayeeBalanceChange(
                payeeID: payee, tenantID: tenant, livemode: true,
                money: Money(minorUnits: 100, currency: .inr), reason: "r",
                sourceID: "s", paymentID: nil))
        guard case .object(let fields) = good.data else { return XCTFail("data is not an object") }
        let hostile: [(String, JSONValue?)] = [
            ("payee_id", .string("po_01JT0000000000000000000001")),  // a payout id where a payee id belongs
            ("payee_id", .string("pe_1")),  // not a ULID
            ("tenant_id", .string("ten_01JT0000000000000000000001' OR 1=1")),
            ("currency", .string("ABC")),
            ("currency", .string("inr!")),
            ("amount", .string("100")),
            ("amount", nil),
            ("payee_id", nil),
        ]
        for (field, value) in hostile {
            var object = fields
            object[field] = value
            var event = good
            event.data = .object(object)
            XCTAssertThrowsError(
                try event.decodeData(PayeeBalanceChange.self), "\(field) = \(String(describing: value)) was accepted")
        }
    }

    func testTypedIDsAcceptOnlyTheirOwnKind() {
        let payeeText = CofferID.generate(.payee)
        XCTAssertNotNil(PayeeID(payeeText))
        XCTAssertNil(PayoutID(payeeText), "a payee id is not a payout id")
        XCTAssertNil(PayeeID(""))
        XCTAssertNil(PayeeID("pe_" + String(repeating: "Z", count: 26) + "0"))
        XCTAssertNil(PayeeID(payeeText.uppercased()))
        XCTAssertEqual(PayeeID.generate().rawValue.prefix(3), "pe_")
    }
}
