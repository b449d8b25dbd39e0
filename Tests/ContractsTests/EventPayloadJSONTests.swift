import Foundation
import Shared
import XCTest

@testable import Contracts

/// A payload's direct event document must be exactly what Foundation's encoder writes (and so what
/// consumers decode): every conforming type, with every optional present and absent.
final class EventPayloadJSONTests: XCTestCase {
    func encoded(_ payload: some Encodable) throws -> JSONValue {
        try JSONValue.parse(JSONCoding.makeEncoder().encode(payload))
    }

    func testDirectDocumentsEqualTheEncodersAndDecodeBack() throws {
        let full = PayoutEventData(
            payoutID: .generate(), payeeID: .generate(), tenantID: .generate(), livemode: true,
            money: Money(minorUnits: 9_007_199_254_740_993, currency: .jpy), status: "failed", purpose: "salary",
            failureCode: "invalid_account", failureMessage: "The bank said \"no\" — ünïcode", destinationCheck: false,
            approvalReasons: ["first_run"], holdReasons: [], batchID: "pob_1", providerPayoutID: "tr_1")
        let bare = PayoutEventData(
            payoutID: .generate(), payeeID: .generate(), tenantID: .generate(), livemode: nil,
            money: Money(minorUnits: 1, currency: .inr), status: "queued")
        for payload in [full, bare] {
            XCTAssertEqual(payload.eventJSON, try encoded(payload))
            XCTAssertEqual(
                try JSONCoding.makeDecoder().decode(PayoutEventData.self, from: Data(payload.eventJSON.serialized())),
                payload)
        }
        for change in [
            PayeeBalanceChange(
                payeeID: .generate(), tenantID: .generate(), livemode: false,
                money: Money(minorUnits: -500, currency: .usd),
                reason: "refund", sourceID: "re_1", paymentID: "pay_1"),
            PayeeBalanceChange(
                payeeID: .generate(), tenantID: .generate(), livemode: nil, money: Money(minorUnits: 0, currency: .kes),
                reason: "operator_credit", sourceID: "cr_1", paymentID: nil),
        ] {
            XCTAssertEqual(change.eventJSON, try encoded(change))
            XCTAssertEqual(
                try JSONCoding.makeDecoder().decode(PayeeBalanceChange.self, from: Data(change.eventJSON.serialized())),
                change)
        }
    }
}
