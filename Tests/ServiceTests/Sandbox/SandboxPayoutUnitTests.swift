import Foundation
import HTTP
import Shared
import Synchronization
import XCTest

@testable import Sandbox

/// The payout building blocks in-process: delayed work, balance pots, the duplicate detector's view of
/// failed payouts, destination checks and MTN account registrations.
final class SandboxPayoutUnitTests: XCTestCase {
    func testDelayedWorkRunsByDeadlineAndDropsWorkAReset() async throws {
        let generation = ResetGeneration()
        let work = DelayedWork(generation: generation, granularity: .milliseconds(1))
        let ran = Mutex<[String]>([])
        work.schedule(after: 120) { ran.withLock { $0.append("late") } }
        work.schedule(after: 30) { ran.withLock { $0.append("early") } }
        work.schedule(after: 30) { ran.withLock { $0.append("early, second") } }
        work.schedule(after: 0) { ran.withLock { $0.append("now") } }
        try await Task.sleep(for: .milliseconds(400))
        XCTAssertEqual(ran.withLock { $0 }, ["now", "early", "early, second", "late"])
        XCTAssertEqual(work.pending, 0)

        work.schedule(after: 50) { ran.withLock { $0.append("forgotten") } }
        generation.advance()
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertFalse(ran.withLock { $0 }.contains("forgotten"), "work from before a reset is dropped")
    }

    func testBalancePotsOpenLargeAndNeverGoNegative() {
        var balances = PayoutBalances(opening: 1000)
        XCTAssertEqual(balances.available("acct_1", "usd"), 1000)
        XCTAssertTrue(balances.debit("acct_1", "usd", 600))
        XCTAssertFalse(balances.debit("acct_1", "usd", 401), "nothing taken when the pot holds less")
        XCTAssertEqual(balances.available("acct_1", "usd"), 400)
        XCTAssertEqual(balances.available("acct_2", "usd"), 1000, "pots are per account")
        balances.credit("acct_1", "usd", 100)
        balances.set("acct_1", "eur", 5)
        XCTAssertEqual(balances.pots(of: "acct_1"), ["usd": 500, "eur": 5])
        XCTAssertEqual(balances.pots(of: "acct_2"), [:])
    }

    func testSummaryLetsAFailedPayoutBePaidAgainButFlagsASecondPayout() {
        func operation(_ sequence: Int64, _ kind: OperationKind, object: String, coffer: String, key: String?)
            -> SandboxOperation
        {
            SandboxOperation(
                sequence: sequence, provider: .razorpay, kind: kind.rawValue, accountID: "acc_1", objectID: object,
                relatedObjectID: nil, idempotencyKey: key, cofferID: coffer, amount: 100, currency: "INR",
                atMilliseconds: 0)
        }
        let retriedAfterFailure = OperationSummary.make(
            [
                operation(1, .payout, object: "pout_1", coffer: "po_1", key: "k1"),
                operation(2, .payoutFailed, object: "pout_1", coffer: "po_1", key: nil),
                operation(3, .payout, object: "pout_2", coffer: "po_1", key: "k2"),
                operation(4, .payoutReversal, object: "pout_2", coffer: "po_1", key: nil),
                operation(5, .payoutReversal, object: "pout_2", coffer: "po_1", key: nil),
            ], keyLimit: nil)
        XCTAssertEqual(retriedAfterFailure["clean"], true)
        let paidTwice = OperationSummary.make(
            [
                operation(1, .payout, object: "pout_1", coffer: "po_1", key: "k1"),
                operation(2, .payout, object: "pout_2", coffer: "po_1", key: "k2"),
                operation(3, .payoutFailed, object: "pout_3", coffer: "po_1", key: nil),
            ], keyLimit: nil)
        XCTAssertEqual(paidTwice["clean"], false)
        XCTAssertEqual(paidTwice.value(at: "duplicates.coffer_ids.0.object_ids"), ["pout_1", "pout_2"])
    }

    func testDestinationChecks() {
        XCTAssertTrue(RazorpayPayoutRequest.isIFSC("HDFC0001234"))
        XCTAssertTrue(RazorpayPayoutRequest.isIFSC("SBIN0ABC123"))
        for bad in ["HDFC1001234", "HDFC000123", "hdfc0001234", "HDF10001234", "HDFC0001234X", "HDFC000123-"] {
            XCTAssertFalse(RazorpayPayoutRequest.isIFSC(bad), bad)
        }
        XCTAssertTrue(MTNTransferRequest.isUUID(UUID().uuidString.lowercased()))
        XCTAssertFalse(MTNTransferRequest.isUUID("123e4567e89b12d3a456426614174000"))
        XCTAssertTrue(StripeSimulator.isConnectedAccount("acct_1MTfjCQ9PRzxEwkZ"))
        XCTAssertFalse(StripeSimulator.isConnectedAccount("acct_invalid1"))
        XCTAssertFalse(StripeSimulator.isConnectedAccount("acct_"))
        XCTAssertEqual(
            ProviderIDs.razorpay("fa", derivedFrom: "same"), ProviderIDs.razorpay("fa", derivedFrom: "same"),
            "the same details name the same fund account")
    }

    func testMTNRegistrationsNeedTheSubscriptionKeyAndKeepTheirWalletSettings() throws {
        let none: (SandboxProvider, String) -> String? = { _, _ in nil }
        XCTAssertThrowsError(
            try SandboxAccount(registration: ["provider": "mtn", "api_user": "u", "api_key": "k"], existingID: none))
        XCTAssertThrowsError(
            try SandboxAccount(
                registration: [
                    "provider": "mtn", "api_user": "u", "api_key": "k", "subscription_key": "s", "currency": "eur",
                ], existingID: none))
        let account = try SandboxAccount(
            registration: [
                "provider": "mtn", "api_user": "u", "api_key": "k", "subscription_key": "s",
                "webhook_url": "http://127.0.0.1:1/cb",
            ], existingID: none)
        XCTAssertEqual(account.walletCurrency, "EUR")
        XCTAssertEqual(account.targetEnvironment, "sandbox")
        XCTAssertNil(account.webhookSecret, "MTN signs nothing, so needs no secret")
        XCTAssertEqual(SandboxAccount(stored: account.storedConfiguration), account)
        let razorpay = try SandboxAccount(
            registration: ["provider": "razorpay", "key_id": "rzp", "key_secret": "s", "account_number": "7878"],
            existingID: none)
        XCTAssertEqual(SandboxAccount(stored: razorpay.storedConfiguration)?.accountNumber, "7878")
    }
}
