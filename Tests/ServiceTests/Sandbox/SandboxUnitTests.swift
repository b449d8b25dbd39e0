import Foundation
import HTTP
import Shared
import XCTest

@testable import Sandbox

/// The sandbox's building blocks in-process: parameters, behaviour counters, idempotency memory and
/// the duplicate detector.
final class SandboxUnitTests: XCTestCase {
    func testStripeFormDecodesNestedHashesAndCanonicalizesForIdempotency() throws {
        let form = try StripeForm(
            encoded: Array("amount=1050&currency=usd&metadata%5Border_id%5D=42&metadata[note]=a+b%26c&expand[]=x".utf8))
        XCTAssertEqual(form.value("amount"), "1050")
        XCTAssertEqual(try form.integer("amount"), 1050)
        XCTAssertEqual(try form.metadata(), ["order_id": "42", "note": "a b&c"])
        XCTAssertThrowsError(try StripeForm(encoded: Array("amount=%zz".utf8)))
        XCTAssertThrowsError(try StripeForm(encoded: Array("amount=12.5".utf8)).integer("amount"))
        let reordered = try StripeForm(
            encoded: Array("metadata[note]=a+b%26c&expand[]=x&currency=usd&metadata[order_id]=42&amount=1050".utf8))
        XCTAssertEqual(form.canonicalBytes, reordered.canonicalBytes)
        var metadata = ["keep": "1", "drop": "2"]
        StripeForm.apply(["drop": "", "add": "3"], to: &metadata)
        XCTAssertEqual(metadata, ["keep": "1", "add": "3"])
        StripeForm.apply([:], to: &metadata)
        XCTAssertEqual(metadata, [:], "`metadata=` clears every key")
    }

    func testBehaviourCountersAreUsedUpAccountFirstThenProvider() {
        let book = BehaviourBook(defaults: Behaviour())
        var providerWide = BehaviourPatch()
        providerWide.failNext = 1
        providerWide.failStatus = 502
        book.update(.stripe, accountID: nil, patch: providerWide)
        var forAccount = BehaviourPatch()
        forAccount.timeoutNext = 1
        forAccount.failNext = 1
        forAccount.failStatus = 429
        book.update(.stripe, accountID: "acct_a", patch: forAccount)

        XCTAssertEqual(book.admit(.stripe, accountID: "acct_a").failStatus, 429, "the account's own counter first")
        // Then the provider's counter, answered with the status in effect for the account (its override).
        XCTAssertEqual(book.admit(.stripe, accountID: "acct_a").failStatus, 429)
        let third = book.admit(.stripe, accountID: "acct_a")
        XCTAssertNil(third.failStatus)
        XCTAssertEqual(third.timeoutMilliseconds, 30_000, "a timeout only when no failure is due")
        let fourth = book.admit(.stripe, accountID: "acct_a")
        XCTAssertNil(fourth.failStatus)
        XCTAssertNil(fourth.timeoutMilliseconds)
        XCTAssertNil(book.admit(.razorpay, accountID: "acct_a").failStatus, "providers are separate")
        book.update(.stripe, accountID: nil, patch: providerWide)
        XCTAssertEqual(
            book.admit(.stripe, accountID: "acct_other").failStatus, 502, "other accounts see the provider's status")

        var declines = BehaviourPatch()
        declines.declineNext = 2
        book.update(.paypal, accountID: nil, patch: declines)
        XCTAssertTrue(book.takeDecline(.paypal, accountID: "acct_b"))
        XCTAssertTrue(book.takeDecline(.paypal, accountID: "acct_c"))
        XCTAssertFalse(book.takeDecline(.paypal, accountID: "acct_b"))
        book.reset()
        XCTAssertEqual(book.effective(.stripe, accountID: "acct_a"), Behaviour())
    }

    func testBehaviourPatchRefusesUnknownFieldsAndOutOfRangeValues() throws {
        XCTAssertThrowsError(try BehaviourPatch(json: ["provider": "stripe", "fail_nxt": 1]))
        XCTAssertThrowsError(try BehaviourPatch(json: ["fail_status": 302]))
        XCTAssertThrowsError(try BehaviourPatch(json: ["webhook_reorder": 1]))
        XCTAssertThrowsError(try BehaviourPatch(json: ["latency_ms": -1]))
        let patch = try BehaviourPatch(json: ["webhook_drop": true, "latency_ms": 20])
        XCTAssertEqual(patch.json, ["webhook_drop": true, "latency_ms": 20])
    }

    func testIdempotencyCacheReplaysRefusesMismatchesForgetsAbandonedKeysAndIsBounded() {
        let cache = IdempotencyCache(capacity: 3)
        let stored = IdempotencyCache.Stored(status: .ok, headers: [:], body: Array("one".utf8))
        guard case .execute = cache.begin(scope: "a", key: "k", fingerprint: [1]) else {
            return XCTFail("first use executes")
        }
        guard case .inFlight = cache.begin(scope: "a", key: "k", fingerprint: [1]) else { return XCTFail("in flight") }
        cache.finish(scope: "a", key: "k", response: stored)
        guard case .replay(let replayed) = cache.begin(scope: "a", key: "k", fingerprint: [1]) else {
            return XCTFail("replay")
        }
        XCTAssertEqual(replayed.body, stored.body)
        guard case .mismatch = cache.begin(scope: "a", key: "k", fingerprint: [2]) else { return XCTFail("mismatch") }
        guard case .execute = cache.begin(scope: "b", key: "k", fingerprint: [2]) else {
            return XCTFail("scopes are separate")
        }
        guard case .execute = cache.begin(scope: "a", key: "failed", fingerprint: [1]) else {
            return XCTFail("new key")
        }
        cache.abandon(scope: "a", key: "failed")
        guard case .execute = cache.begin(scope: "a", key: "failed", fingerprint: [9]) else {
            return XCTFail("abandoned keys are forgotten")
        }
        for index in 0..<5 { _ = cache.begin(scope: "c", key: "\(index)", fingerprint: [0]) }
        guard case .execute = cache.begin(scope: "a", key: "k", fingerprint: [2]) else {
            return XCTFail("the oldest keys are forgotten")
        }
    }

    func testSummaryFlagsOnlyKindsThatMustNotRepeat() {
        func operation(
            _ sequence: Int64, _ kind: OperationKind, coffer: String?, key: String?, account: String = "acct_1"
        ) -> SandboxOperation {
            SandboxOperation(
                sequence: sequence, provider: .stripe, kind: kind.rawValue, accountID: account,
                objectID: "obj_\(sequence)",
                relatedObjectID: nil, idempotencyKey: key, cofferID: coffer, amount: 100, currency: "USD",
                atMilliseconds: 0)
        }
        let clean = OperationSummary.make(
            [
                operation(1, .createPayment, coffer: "pay_1", key: "k1"),
                operation(2, .confirm, coffer: "pay_1", key: "k2"),
                operation(3, .confirm, coffer: "pay_1", key: "k3"),
                operation(4, .customerAction, coffer: "pay_1", key: nil),
                operation(5, .customerAction, coffer: "pay_1", key: nil),
                operation(6, .capture, coffer: "pay_1", key: "k4"),
                operation(7, .createPayment, coffer: "pay_2", key: "k1", account: "acct_2"),
            ], keyLimit: nil)
        XCTAssertEqual(
            clean["clean"], true, "retried confirmations, customer actions and keys of other accounts are fine")
        XCTAssertEqual(clean.value(at: "by_idempotency_key.k1")?.int64Value, 2)

        let dirty = OperationSummary.make(
            [
                operation(1, .refund, coffer: "re_1", key: "r1"),
                operation(2, .refund, coffer: "re_1", key: "r2"),
                operation(3, .capture, coffer: "pay_9", key: "same"),
                operation(4, .cancel, coffer: "pay_8", key: "same"),
            ], keyLimit: 1)
        XCTAssertEqual(dirty["clean"], false)
        XCTAssertEqual(dirty.value(at: "duplicates.coffer_ids.0.coffer_id"), "re_1")
        XCTAssertEqual(dirty.value(at: "duplicates.idempotency_keys.0.idempotency_key"), "same")
        XCTAssertEqual(dirty.value(at: "duplicates.idempotency_keys.0.kinds"), ["capture", "cancel"])
        XCTAssertEqual(dirty["by_idempotency_key_truncated"], true)
        XCTAssertEqual(dirty.value(at: "by_idempotency_key.same")?.int64Value, 2, "the repeated key is the one kept")
    }

    func testAccountsMaskSecretsAndProviderIDsLookLikeTheRealOnes() {
        XCTAssertEqual(SandboxAccount.mask("sk_test_51Habcdefghijklmn"), "sk_test_…klmn")
        XCTAssertEqual(SandboxAccount.mask("short"), "…rt")
        XCTAssertEqual(ProviderIDs.stripe("pi").count, 27)
        XCTAssertEqual(ProviderIDs.razorpay("order").count, 20)
        XCTAssertEqual(ProviderIDs.paypal().count, 17)
        XCTAssertTrue(ProviderIDs.paypal().allSatisfy { $0.isUppercase || $0.isNumber })
        let uuid = ProviderIDs.uuid()
        XCTAssertNotNil(UUID(uuidString: uuid))
        XCTAssertEqual(Array(uuid)[14], "4")
    }
}
