import Foundation
import HTTP
import ProviderKit
import Shared
import XCTest

@testable import Payouts

/// Requests and checks shared by the payout adapter tests (the fake provider server, connectors and
/// `assertProviderError` come from `AdapterTestSupport`).
enum PayoutFixtures {
    static let bank = PayoutDestination.bankAccount(
        accountNumber: "50100012345678", ifsc: "HDFC0000123", holderName: "Asha Verma")
    static let upi = PayoutDestination.upi(vpa: "asha.verma@okhdfc", holderName: "Asha Verma")
    static let wallet = PayoutDestination.mobileMoney(msisdn: "260971234567", holderName: "Mwila Banda")

    static func request(
        id: String = "po_01J9Z7Q4ZK8V6W2X3Y4Z5A6B7C", amount: Money = Money(minorUnits: 150_050, currency: .inr),
        destination: PayoutDestination = bank, purpose: String = "payout", narration: String? = "June sales, #42!",
        key: String? = nil
    ) -> ProviderPayoutRequest {
        ProviderPayoutRequest(
            payoutID: id, amount: amount, destination: destination, purpose: purpose, narration: narration,
            idempotencyKey: key ?? id)
    }
}

/// Fails when `text` contains any of `secrets`.
func assertNoSecrets(_ text: String?, _ secrets: [String], file: StaticString = #filePath, line: UInt = #line) {
    for secret in secrets where text?.contains(secret) == true {
        XCTFail("a secret leaked into \(text ?? "")", file: file, line: line)
    }
}
