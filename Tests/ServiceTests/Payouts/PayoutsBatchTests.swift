import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Payroll batches: a dry run says exactly what would happen and moves nothing; a real batch is
/// all or nothing, then every item is paid on its own.
final class PayoutsBatchTests: XCTestCase {
    func testDryRunThenAllOrNothingBatch() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant(settings: [
            "payout_limits": ["approval_thresholds": ["INR": 30_000]]
        ])
        let alice = try await harness.createPayee(tenant, type: "employee", balance: 100_000)
        let bob = try await harness.createPayee(tenant, type: "employee", balance: 20_000)
        let unknown = CofferID.generate(.payee)

        let invalidItems: JSONValue = [
            "dry_run": true,
            "items": [
                ["payee_id": .string(alice), "amount": 40_000, "currency": "INR", "purpose": "salary"],
                ["payee_id": .string(bob), "amount": 15_000, "currency": "INR", "purpose": "salary"],
                ["payee_id": .string(bob), "amount": 15_000, "currency": "INR", "purpose": "salary"],
                ["payee_id": .string(unknown), "amount": 1_000, "currency": "INR"],
                ["payee_id": .string(alice), "amount": -5, "currency": "INR"],
            ],
        ]
        let dryRun = try await harness.call(.POST, "/v1/payout-batches", bearer: tenant.key, json: invalidItems)
        XCTAssertEqual(dryRun.status, 200, dryRun.text)
        XCTAssertEqual(dryRun["valid"], false)
        let errors = dryRun["errors"]?.arrayValue ?? []
        XCTAssertEqual(errors.compactMap { $0["index"]?.int64Value }, [2, 3, 4], dryRun.text)
        XCTAssertEqual(
            errors.first?["code"]?.stringValue, "insufficient_balance",
            "the second payout to bob sees the first one's reservation")
        XCTAssertEqual(errors[1]["code"]?.stringValue, "not_found")
        let items = dryRun["items"]?.arrayValue ?? []
        XCTAssertEqual(items.map { $0["would_be"]?.stringValue }, ["pending_approval", "queued"], dryRun.text)
        XCTAssertEqual(dryRun["totals"]?[0]?["amount"]?.int64Value, 55_000)
        let afterDryRun = try await harness.superuserCount(
            "SELECT count(*) FROM payouts.payouts WHERE tenant_id = '\(tenant.id)'")
        XCTAssertEqual(afterDryRun, 0, "a dry run creates nothing")
        let untouched = try await harness.balance(bob, tenant)
        XCTAssertEqual(untouched.available, 20_000)

        var real = invalidItems.objectValue ?? [:]
        real["dry_run"] = false
        let noKey = try await harness.call(.POST, "/v1/payout-batches", bearer: tenant.key, json: .object(real))
        XCTAssertEqual(noKey.errorCode, "idempotency_key_required", noKey.text)
        let refused = try await harness.call(
            .POST, "/v1/payout-batches", bearer: tenant.key, json: .object(real), idempotencyKey: UUID().uuidString)
        XCTAssertEqual(refused.status, 422, refused.text)
        XCTAssertEqual(refused.errorCode, "batch_invalid")
        XCTAssertEqual(refused["error"]?["items"]?.arrayValue?.count, 3)
        let afterRefusal = try await harness.superuserCount(
            "SELECT count(*) FROM payouts.payouts WHERE tenant_id = '\(tenant.id)'")
        XCTAssertEqual(afterRefusal, 0, "an invalid batch creates nothing")

        // CSV, as payroll exports it.
        let csv =
            "payee_id,amount,currency,purpose,narration\n\(alice),25000,INR,salary,\"November, pay\"\n\(bob),15000,INR,salary,November\n"
        let csvDryRun = try await harness.call(
            .POST, "/v1/payout-batches?dry_run=true", bearer: tenant.key, rawBody: Array(csv.utf8),
            contentType: "text/csv")
        XCTAssertEqual(csvDryRun["valid"], true, csvDryRun.text)
        let key = UUID().uuidString
        let batch = try await harness.call(
            .POST, "/v1/payout-batches", bearer: tenant.key, rawBody: Array(csv.utf8), contentType: "text/csv",
            idempotencyKey: key)
        XCTAssertEqual(batch.status, 201, batch.text)
        XCTAssertEqual(batch["item_count"]?.int64Value, 2)
        let replay = try await harness.call(
            .POST, "/v1/payout-batches", bearer: tenant.key, rawBody: Array(csv.utf8), contentType: "text/csv",
            idempotencyKey: key)
        XCTAssertEqual(replay.id, batch.id)
        XCTAssertEqual(replay.headers["Idempotent-Replayed"], "true")
        let done = await eventually(timeout: .seconds(30)) {
            (try? await harness.call(.GET, "/v1/payout-batches/\(batch.id)", bearer: tenant.key))?["status"]?
                .stringValue == "completed"
        }
        XCTAssertTrue(done)
        let final = try await harness.call(.GET, "/v1/payout-batches/\(batch.id)", bearer: tenant.key)
        XCTAssertEqual(final["status_counts"]?["processed"]?.int64Value, 2, final.text)
        XCTAssertEqual(final["items"]?[0]?["narration"]?.stringValue, "November, pay")
        let bobBalance = try await harness.balance(bob, tenant)
        XCTAssertEqual(bobBalance.available, 5_000)
        let other = try await harness.createTenant()
        let hidden = try await harness.call(.GET, "/v1/payout-batches/\(batch.id)", bearer: other.key)
        XCTAssertEqual(hidden.status, 404)
        await harness.stop()
    }

    /// 1,000 payouts at once against one balance: exactly as many as it covers succeed, the rest are
    /// refused, and the balance never goes below zero.
    func testConcurrentPayoutsNeverOverdrawOneBalance() async throws {
        let harness = try await PayoutsHarness.start(payoutsEnvironment: ["FRAUD_VELOCITY_PER_HOUR": "100000"])
        let tenant = try await harness.createTenant(settings: [
            "payout_limits": ["max_payouts_per_payee_per_day": 10_000]
        ])
        let payee = try await harness.createPayee(tenant, balance: 50_000)
        let results = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for _ in 0..<1_000 {
                group.addTask {
                    let answer = try await harness.createPayout(tenant, payee: payee, amount: 100);
                    return (answer.status, answer.errorCode)
                }
            }
            var all: [(Int, String?)] = []
            for try await result in group { all.append(result) }
            return all
        }
        XCTAssertEqual(
            results.filter { $0.0 == 201 }.count, 500,
            "\(Dictionary(grouping: results.map { "\($0.0) \($0.1 ?? "")" }, by: { $0 }).mapValues(\.count))")
        XCTAssertEqual(results.filter { $0.1 == "insufficient_balance" }.count, 500)
        let allPaid = await eventually(timeout: .seconds(60)) {
            (try? await harness.superuserCount(
                "SELECT count(*) FROM payouts.payouts WHERE payee_id = '\(payee)' AND status = 'processed'")) == 500
        }
        XCTAssertTrue(allPaid)
        let balance = try await harness.balance(payee, tenant)
        XCTAssertEqual(balance.available, 0)
        XCTAssertEqual(balance.reserved, 0)
        let negative = try await harness.superuserCount(
            "SELECT count(*) FROM payouts.balances WHERE available < 0 OR reserved < 0")
        XCTAssertEqual(negative, 0)
        let paid = try await harness.sandboxPayoutsByCofferID()
        XCTAssertEqual(paid.count, 500)
        XCTAssertTrue(paid.values.allSatisfy { $0 == 1 })
        await harness.stop()
    }

    /// Payees created 8 at a time are all created (each answer a 201, never a stray 404).
    func testConcurrentPayeeCreation() async throws {
        let harness = try await PayoutsHarness.start()
        let tenant = try await harness.createTenant()
        let answers = try await withThrowingTaskGroup(of: PayoutsHarness.Answer.self) { group in
            var answers: [PayoutsHarness.Answer] = []
            for index in 0..<400 {
                if index >= 8, let answer = try await group.next() { answers.append(answer) }
                group.addTask {
                    try await harness.call(
                        .POST, "/v1/payees", bearer: tenant.key,
                        json: [
                            "name": .string("Seller \(index)"), "type": "seller",
                            "destination": [
                                "type": "stripe_account", "account_id": .string("acct_test\(index)xxxxxx"),
                            ],
                        ])
                }
            }
            for try await answer in group { answers.append(answer) }
            return answers
        }
        let refused = answers.filter { $0.status != 201 }
        XCTAssertEqual(refused.count, 0, refused.prefix(3).map(\.text).joined(separator: "\n"))
        await harness.stop()
    }
}
