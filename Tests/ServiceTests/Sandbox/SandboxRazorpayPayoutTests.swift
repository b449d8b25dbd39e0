import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// RazorpayX payouts through the real process: the composite payout with `X-Payout-Idempotency`,
/// settlement after the payout delay with signed webhooks, refused and failing destinations, the
/// business account balance, and the operations log proving each payout ran once.
final class SandboxRazorpayPayoutTests: XCTestCase {
    func testPayoutIsProcessedAfterTheDelayAnnouncedBySignedWebhookAndFoundByReference() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerRazorpay(webhookURL: sink.url("razorpayx"))
        func call(_ method: HTTPMethod, _ path: String, _ json: JSONValue? = nil, key: String? = nil) async throws
            -> (HTTPClientResponse, JSONValue)
        {
            try await harness.razorpay(
                method, path, keyID: account.keyID, keySecret: account.keySecret, json: json,
                headers: key.map { ["X-Payout-Idempotency": $0] } ?? [:])
        }
        let body = SandboxHarness.razorpayPayout(reference: "po_01HAPPY", amount: 250_000)
        let (created, payout) = try await call(.POST, "/v1/payouts", body, key: "po_01HAPPY-attempt")
        XCTAssertEqual(created.status, .ok, created.bodyText)
        let id = try XCTUnwrap(payout["id"]?.stringValue)
        XCTAssertTrue(id.hasPrefix("pout_"))
        XCTAssertEqual(id.count, 19)
        XCTAssertEqual(payout["entity"], "payout")
        XCTAssertEqual(payout["status"], "processing")
        XCTAssertEqual(payout["amount"]?.int64Value, 250_000)
        XCTAssertEqual(payout["currency"], "INR")
        XCTAssertEqual(payout["mode"], "IMPS")
        XCTAssertEqual(payout["purpose"], "payout")
        XCTAssertEqual(payout["reference_id"], "po_01HAPPY")
        XCTAssertEqual(payout["fees"]?.int64Value, 590)
        XCTAssertEqual(payout["tax"]?.int64Value, 90)
        XCTAssertEqual(payout["utr"], .null)
        XCTAssertEqual(payout["failure_reason"], .null)
        XCTAssertEqual(payout.value(at: "fund_account.entity"), "fund_account")
        XCTAssertEqual(payout.value(at: "fund_account.account_type"), "bank_account")
        XCTAssertEqual(payout.value(at: "fund_account.bank_account.ifsc"), "HDFC0001234")
        XCTAssertEqual(payout.value(at: "fund_account.bank_account.bank_name"), "HDFC Bank")
        XCTAssertEqual(payout.value(at: "fund_account.contact.name"), "Gaurav Kumar")
        XCTAssertEqual(payout["fund_account_id"], payout.value(at: "fund_account.id"))
        XCTAssertTrue(payout["fund_account_id"]?.stringValue?.hasPrefix("fa_") ?? false)

        // X-Payout-Idempotency: the same key and body replay the stored payout; another body is refused.
        let (replayed, replay) = try await call(.POST, "/v1/payouts", body, key: "po_01HAPPY-attempt")
        XCTAssertEqual(replayed.status, .ok)
        XCTAssertEqual(replay["id"]?.stringValue, id)
        let (reused, reusedBody) = try await call(
            .POST, "/v1/payouts", SandboxHarness.razorpayPayout(reference: "po_01HAPPY", amount: 250_001),
            key: "po_01HAPPY-attempt")
        XCTAssertEqual(reused.status, .badRequest)
        XCTAssertEqual(reusedBody.value(at: "error.code"), "BAD_REQUEST_ERROR")

        // The payee's bank settles it after the payout delay.
        let processed = try await sink.wait(for: 1, name: "razorpayx", type: "payout.processed")
        let webhook = try XCTUnwrap(processed.first)
        XCTAssertTrue(WebhookVerification.razorpay(webhook, secret: account.webhookSecret))
        XCTAssertFalse(WebhookVerification.razorpay(webhook, secret: account.keySecret))
        XCTAssertNotNil(webhook.headers["x-razorpay-event-id"])
        XCTAssertEqual(webhook.json["entity"], "event")
        XCTAssertEqual(webhook.json["contains"], ["payout"])
        let entity = try XCTUnwrap(webhook.json.value(at: "payload.payout.entity"))
        XCTAssertEqual(entity["id"]?.stringValue, id)
        XCTAssertEqual(entity["status"], "processed")
        XCTAssertEqual(entity["reference_id"], "po_01HAPPY")
        XCTAssertEqual(entity["amount"]?.int64Value, 250_000)
        XCTAssertEqual(entity["utr"]?.stringValue?.count, 12, "an IMPS reference number")
        let (_, fetched) = try await call(.GET, "/v1/payouts/\(id)")
        XCTAssertEqual(fetched["status"], "processed")
        let (_, byReference) = try await call(
            .GET, "/v1/payouts?account_number=7878780080316316&reference_id=po_01HAPPY")
        XCTAssertEqual(byReference["entity"], "collection")
        XCTAssertEqual(byReference["count"]?.int64Value, 1)
        XCTAssertEqual(byReference.value(at: "items.0.id")?.stringValue, id)
        let (_, none) = try await call(.GET, "/v1/payouts?account_number=7878780080316316&reference_id=po_nope")
        XCTAssertEqual(none["count"]?.int64Value, 0)
        let (noAccount, _) = try await call(.GET, "/v1/payouts?reference_id=po_01HAPPY")
        XCTAssertEqual(noAccount.status, .badRequest, "RazorpayX lists payouts of one business account")
        let (unknown, unknownBody) = try await call(.GET, "/v1/payouts/pout_00000000000000")
        XCTAssertEqual(unknown.status, .badRequest)
        XCTAssertEqual(unknownBody.value(at: "error.description"), "The id provided does not exist")

        // The business account paid the amount and the fees.
        let (_, balances) = try await call(.GET, "/v1/banking_balances")
        XCTAssertEqual(balances["entity"], "collection")
        XCTAssertEqual(balances.value(at: "items.0.entity"), "banking_balance")
        XCTAssertEqual(balances.value(at: "items.0.account_number"), "7878780080316316")
        XCTAssertEqual(balances.value(at: "items.0.available_amount")?.int64Value, 1_000_000_000_000 - 250_590)

        let operations = try await harness.operations("?provider=razorpay")
        XCTAssertEqual(operations.compactMap { $0["kind"]?.stringValue }, ["payout"], "the replay executed nothing")
        XCTAssertEqual(operations.first?["object_id"]?.stringValue, id)
        XCTAssertEqual(operations.first?["idempotency_key"], "po_01HAPPY-attempt")
        XCTAssertEqual(operations.first?["coffer_id"], "po_01HAPPY")
        XCTAssertEqual(operations.first?["amount"]?.int64Value, 250_000)
        XCTAssertEqual(operations.first?["currency"], "INR")
        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], true)
        await sink.stop()
        await harness.stop()
    }

    func testRefusedBodiesExecuteNothingAndTheSandboxsBadDestinationsFailAtTheirBank() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerRazorpay(webhookURL: sink.url("razorpayx"))
        func post(_ json: JSONValue, key: String?) async throws -> (HTTPClientResponse, JSONValue) {
            try await harness.razorpay(
                .POST, "/v1/payouts", keyID: account.keyID, keySecret: account.keySecret, json: json,
                headers: key.map { ["X-Payout-Idempotency": $0] } ?? [:])
        }
        // Refused before anything executes: the key stays free.
        let (badIFSC, badIFSCBody) = try await post(
            SandboxHarness.razorpayPayout(reference: "po_01IFSC", ifsc: "HDFC1234"), key: "key-ifsc")
        XCTAssertEqual(badIFSC.status, .badRequest)
        XCTAssertEqual(badIFSCBody.value(at: "error.field"), "fund_account.bank_account.ifsc")
        let (lowerIFSC, _) = try await post(
            SandboxHarness.razorpayPayout(reference: "po_01IFSC", ifsc: "hdfc0001234"), key: "key-ifsc")
        XCTAssertEqual(lowerIFSC.status, .badRequest)
        let (missingKey, missingKeyBody) = try await post(SandboxHarness.razorpayPayout(reference: "po_01K"), key: nil)
        XCTAssertEqual(missingKey.status, .badRequest, "X-Payout-Idempotency is mandatory")
        XCTAssertEqual(missingKeyBody.value(at: "error.field"), "X-Payout-Idempotency")
        let (longKey, _) = try await post(
            SandboxHarness.razorpayPayout(reference: "po_01K"), key: String(repeating: "k", count: 37))
        XCTAssertEqual(longKey.status, .badRequest)
        let (upiToBank, _) = try await post(
            SandboxHarness.razorpayPayout(reference: "po_01K", mode: "UPI"), key: "key-mode")
        XCTAssertEqual(upiToBank.status, .badRequest)
        let (small, smallBody) = try await post(
            SandboxHarness.razorpayPayout(reference: "po_01K", amount: 99), key: "key-small")
        XCTAssertEqual(small.status, .badRequest)
        XCTAssertEqual(smallBody.value(at: "error.field"), "amount")
        let (fixed, _) = try await post(SandboxHarness.razorpayPayout(reference: "po_01IFSC"), key: "key-ifsc")
        XCTAssertEqual(fixed.status, .ok, "a refused body left its key free")

        // Accepted, then failed by the payee's bank: the money (and fees) come back.
        let (zeros, zerosBody) = try await post(
            SandboxHarness.razorpayPayout(reference: "po_01ZEROS", beneficiary: "000000000000"), key: "key-zeros")
        XCTAssertEqual(zeros.status, .ok, zeros.bodyText)
        XCTAssertEqual(zerosBody["status"], "processing")
        let (vpa, vpaBody) = try await post(
            SandboxHarness.razorpayUPIPayout(reference: "po_01VPA", vpa: "someone@fail"), key: "key-vpa")
        XCTAssertEqual(vpa.status, .ok, vpa.bodyText)
        XCTAssertEqual(vpaBody.value(at: "fund_account.vpa.address"), "someone@fail")
        let failed = try await sink.wait(for: 2, name: "razorpayx", type: "payout.failed")
        XCTAssertTrue(failed.allSatisfy { WebhookVerification.razorpay($0, secret: account.webhookSecret) })
        let byReference = Dictionary(
            uniqueKeysWithValues: failed.compactMap { webhook -> (String, JSONValue)? in
                guard let entity = webhook.json.value(at: "payload.payout.entity"),
                    let reference = entity["reference_id"]?.stringValue
                else { return nil }
                return (reference, entity)
            })
        XCTAssertEqual(byReference["po_01ZEROS"]?["status"], "failed")
        XCTAssertEqual(byReference["po_01ZEROS"]?.value(at: "status_details.reason"), "invalid_beneficiary_details")
        XCTAssertNotNil(byReference["po_01ZEROS"]?["failure_reason"]?.stringValue)
        XCTAssertEqual(byReference["po_01ZEROS"]?.value(at: "error.source"), "beneficiary_bank")
        XCTAssertEqual(byReference["po_01VPA"]?["status"], "failed")
        XCTAssertEqual(byReference["po_01VPA"]?.value(at: "status_details.reason"), "invalid_vpa")
        try await sink.wait(for: 1, name: "razorpayx", type: "payout.processed")
        let (_, balances) = try await harness.razorpay(
            .GET, "/v1/banking_balances", keyID: account.keyID, keySecret: account.keySecret)
        XCTAssertEqual(
            balances.value(at: "items.0.available_amount")?.int64Value, 1_000_000_000_000 - 100_590,
            "only the processed payout and its fees left the account")

        // A failed payout moved no money: paying its Coffer id again is not a duplicate.
        let (retried, _) = try await post(SandboxHarness.razorpayPayout(reference: "po_01ZEROS"), key: "key-zeros-2")
        XCTAssertEqual(retried.status, .ok)
        let kinds = try await harness.operations("?provider=razorpay").compactMap { $0["kind"]?.stringValue }
        XCTAssertEqual(kinds.filter { $0 == "payout" }.count, 4, "refused bodies executed nothing")
        XCTAssertEqual(kinds.filter { $0 == "payout_failed" }.count, 2)
        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], true, summary.jsonString)
        await sink.stop()
        await harness.stop()
    }

    func testConcurrentTwinsExecuteOnceAndASecondPayoutOfOneCofferIDIsFlagged() async throws {
        let harness = try await SandboxHarness.start()
        let account = try await harness.registerRazorpay(webhookURL: nil)
        let body = SandboxHarness.razorpayPayout(reference: "po_01TWIN")
        let results = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for _ in 0..<12 {
                group.addTask {
                    let (response, json) = try await harness.razorpay(
                        .POST, "/v1/payouts", keyID: account.keyID, keySecret: account.keySecret, json: body,
                        headers: ["X-Payout-Idempotency": "twin-key"])
                    return (response.status.code, json["id"]?.stringValue)
                }
            }
            var all: [(Int, String?)] = []
            for try await result in group { all.append(result) }
            return all
        }
        XCTAssertTrue(results.allSatisfy { [200, 409].contains($0.0) }, "\(results)")
        XCTAssertEqual(Set(results.filter { $0.0 == 200 }.compactMap(\.1)).count, 1, "one payout for the key")
        let executed = try await harness.operations("?kind=payout")
        XCTAssertEqual(executed.count, 1)
        let twinSummary = try await harness.summary()
        XCTAssertEqual(twinSummary["clean"], true)

        // A deliberate duplicate: the same Coffer id paid again under a new key is flagged.
        let (again, _) = try await harness.razorpay(
            .POST, "/v1/payouts", keyID: account.keyID, keySecret: account.keySecret, json: body,
            headers: ["X-Payout-Idempotency": "twin-key-2"])
        XCTAssertEqual(again.status, .ok)
        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], false)
        XCTAssertEqual(summary.value(at: "duplicates.coffer_ids.0.coffer_id"), "po_01TWIN")
        XCTAssertEqual(summary.value(at: "duplicates.coffer_ids.0.kind"), "payout")
        XCTAssertEqual(summary.value(at: "duplicates.coffer_ids.0.count")?.int64Value, 2)
        await harness.stop()
    }
}
