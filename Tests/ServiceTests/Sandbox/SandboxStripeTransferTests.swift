import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Stripe Connect transfers through the real process: created at once from the platform balance,
/// replayed by `Idempotency-Key`, listed by transfer group, reversed (by the API and by the control
/// API) with signed `transfer.*` webhooks, and Stripe's 400s for bad destinations and short balances.
final class SandboxStripeTransferTests: XCTestCase {
    func testTransferIsCreatedAtOnceListedReversedAndDrawsOnThePlatformBalance() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: sink.url("stripe"))
        let (_, opening) = try await harness.stripe(.GET, "/v1/balance", key: account.secretKey)
        XCTAssertEqual(opening["object"], "balance")
        XCTAssertEqual(opening.value(at: "available.0.currency"), "usd")
        XCTAssertEqual(opening.value(at: "available.0.amount")?.int64Value, 1_000_000_000_000)

        let form = [
            ("amount", "1500"), ("currency", "EUR"), ("destination", "acct_1MTfjCQ9PRzxEwkZ"),
            ("transfer_group", "po_01TRANSFER"), ("description", "Seller payout"),
            ("metadata[coffer_payout_id]", "po_01TRANSFER"),
        ]
        let (created, transfer) = try await harness.stripe(
            .POST, "/v1/transfers", key: account.secretKey, form: form, idempotencyKey: "po_01TRANSFER")
        XCTAssertEqual(created.status, .ok, created.bodyText)
        let id = try XCTUnwrap(transfer["id"]?.stringValue)
        XCTAssertTrue(id.hasPrefix("tr_"))
        XCTAssertEqual(transfer["object"], "transfer")
        XCTAssertEqual(transfer["amount"]?.int64Value, 1500)
        XCTAssertEqual(transfer["amount_reversed"]?.int64Value, 0)
        XCTAssertEqual(transfer["reversed"], false)
        XCTAssertEqual(transfer["currency"], "eur")
        XCTAssertEqual(transfer["destination"], "acct_1MTfjCQ9PRzxEwkZ")
        XCTAssertTrue(transfer["destination_payment"]?.stringValue?.hasPrefix("py_") ?? false)
        XCTAssertTrue(transfer["balance_transaction"]?.stringValue?.hasPrefix("txn_") ?? false)
        XCTAssertEqual(transfer["transfer_group"], "po_01TRANSFER")
        XCTAssertEqual(transfer.value(at: "metadata.coffer_payout_id"), "po_01TRANSFER")
        XCTAssertEqual(transfer.value(at: "reversals.object"), "list")
        XCTAssertEqual(transfer.value(at: "reversals.total_count")?.int64Value, 0)
        XCTAssertEqual(transfer["livemode"], false)

        let (replayed, replay) = try await harness.stripe(
            .POST, "/v1/transfers", key: account.secretKey, form: form, idempotencyKey: "po_01TRANSFER")
        XCTAssertEqual(replayed.headers["Idempotent-Replayed"], "true")
        XCTAssertEqual(replay["id"]?.stringValue, id)
        let (mismatch, mismatchBody) = try await harness.stripe(
            .POST, "/v1/transfers", key: account.secretKey,
            form: [("amount", "1600"), ("currency", "eur"), ("destination", "acct_1MTfjCQ9PRzxEwkZ")],
            idempotencyKey: "po_01TRANSFER")
        XCTAssertEqual(mismatch.status, .badRequest)
        XCTAssertEqual(mismatchBody.value(at: "error.type"), "idempotency_error")

        let createdEvents = try await sink.wait(for: 1, name: "stripe", type: "transfer.created")
        XCTAssertEqual(createdEvents.first?.json.value(at: "data.object.id")?.stringValue, id)
        XCTAssertEqual(createdEvents.first?.json.value(at: "request.idempotency_key"), "po_01TRANSFER")
        let (_, fetched) = try await harness.stripe(.GET, "/v1/transfers/\(id)", key: account.secretKey)
        XCTAssertEqual(fetched["amount"]?.int64Value, 1500)
        let (_, listed) = try await harness.stripe(
            .GET, "/v1/transfers", key: account.secretKey, form: [("transfer_group", "po_01TRANSFER")])
        XCTAssertEqual(listed["object"], "list")
        XCTAssertEqual(listed["has_more"], false)
        XCTAssertEqual(listed["data"]?.arrayValue?.count, 1)
        XCTAssertEqual(listed.value(at: "data.0.id")?.stringValue, id)
        let (_, other) = try await harness.stripe(
            .GET, "/v1/transfers", key: account.secretKey, form: [("transfer_group", "po_nope")])
        XCTAssertEqual(other["data"]?.arrayValue?.count, 0)
        let (_, afterTransfer) = try await harness.stripe(.GET, "/v1/balance", key: account.secretKey)
        XCTAssertEqual(afterTransfer.value(at: "available.0.currency"), "eur")
        XCTAssertEqual(afterTransfer.value(at: "available.0.amount")?.int64Value, 1_000_000_000_000 - 1500)

        // Reversals: part, then the rest; never more than is left.
        let (reversed, reversal) = try await harness.stripe(
            .POST, "/v1/transfers/\(id)/reversals", key: account.secretKey,
            form: [("amount", "500"), ("metadata[reason]", "chargeback")], idempotencyKey: "reverse-1")
        XCTAssertEqual(reversed.status, .ok, reversed.bodyText)
        XCTAssertTrue(reversal["id"]?.stringValue?.hasPrefix("trr_") ?? false)
        XCTAssertEqual(reversal["object"], "transfer_reversal")
        XCTAssertEqual(reversal["transfer"]?.stringValue, id)
        XCTAssertEqual(reversal["amount"]?.int64Value, 500)
        let (tooMuch, tooMuchBody) = try await harness.stripe(
            .POST, "/v1/transfers/\(id)/reversals", key: account.secretKey, form: [("amount", "1001")])
        XCTAssertEqual(tooMuch.status, .badRequest)
        XCTAssertEqual(tooMuchBody.value(at: "error.type"), "invalid_request_error")
        let (rest, restBody) = try await harness.stripe(
            .POST, "/v1/transfers/\(id)/reversals", key: account.secretKey)
        XCTAssertEqual(rest.status, .ok)
        XCTAssertEqual(restBody["amount"]?.int64Value, 1000)
        let (_, fullyReversed) = try await harness.stripe(.GET, "/v1/transfers/\(id)", key: account.secretKey)
        XCTAssertEqual(fullyReversed["reversed"], true)
        XCTAssertEqual(fullyReversed["amount_reversed"]?.int64Value, 1500)
        XCTAssertEqual(fullyReversed.value(at: "reversals.total_count")?.int64Value, 2)
        let (_, reversals) = try await harness.stripe(.GET, "/v1/transfers/\(id)/reversals", key: account.secretKey)
        XCTAssertEqual(reversals["data"]?.arrayValue?.count, 2)
        let reversedEvents = try await sink.wait(for: 2, name: "stripe", type: "transfer.reversed")
        XCTAssertEqual(reversedEvents.last?.json.value(at: "data.object.amount_reversed")?.int64Value, 1500)
        XCTAssertTrue(sink.all("stripe").allSatisfy { WebhookVerification.stripe($0, secret: account.webhookSecret) })
        let (_, restored) = try await harness.stripe(.GET, "/v1/balance", key: account.secretKey)
        XCTAssertEqual(restored.value(at: "available.0.amount")?.int64Value, 1_000_000_000_000)

        let operations = try await harness.operations("?provider=stripe")
        XCTAssertEqual(
            operations.compactMap { $0["kind"]?.stringValue }, ["payout", "payout_reversal", "payout_reversal"])
        XCTAssertEqual(operations[0]["coffer_id"], "po_01TRANSFER")
        XCTAssertEqual(operations[0]["idempotency_key"], "po_01TRANSFER")
        XCTAssertEqual(operations[0]["currency"], "EUR")
        XCTAssertEqual(operations[1]["related_object_id"]?.stringValue, id)
        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], true)
        await sink.stop()
        await harness.stop()
    }

    func testBadDestinationsAndAShortBalanceAreStripes400sAndTheControlAPIReverses() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: sink.url("stripe"))
        for destination in ["acct_invalidDestination1", "ba_1MTfjCQ9PRzxEwkZ", "acct_", "acct_bad-id"] {
            let (refused, body) = try await harness.stripe(
                .POST, "/v1/transfers", key: account.secretKey,
                form: [("amount", "100"), ("currency", "usd"), ("destination", destination)],
                idempotencyKey: "bad-\(destination)")
            XCTAssertEqual(refused.status, .badRequest, destination)
            XCTAssertEqual(body.value(at: "error.type"), "invalid_request_error")
            XCTAssertEqual(body.value(at: "error.param"), "destination")
            XCTAssertEqual(body.value(at: "error.message")?.stringValue, "No such destination: '\(destination)'")
        }
        let (missing, missingBody) = try await harness.stripe(
            .POST, "/v1/transfers", key: account.secretKey, form: [("amount", "100"), ("currency", "usd")])
        XCTAssertEqual(missing.status, .badRequest)
        XCTAssertEqual(missingBody.value(at: "error.code"), "parameter_missing")

        try await harness.control(
            .POST, "/_sandbox/payouts/balances",
            ["provider": "stripe", "account": .string(account.secretKey), "currency": "usd", "available": 1000])
        let (short, shortBody) = try await harness.stripe(
            .POST, "/v1/transfers", key: account.secretKey,
            form: [("amount", "1001"), ("currency", "usd"), ("destination", "acct_1MTfjCQ9PRzxEwkZ")],
            idempotencyKey: "short")
        XCTAssertEqual(short.status, .badRequest)
        XCTAssertEqual(shortBody.value(at: "error.code"), "balance_insufficient")
        let none = try await harness.operations("?provider=stripe")
        XCTAssertTrue(none.isEmpty, "refused transfers executed nothing")

        let (created, transfer) = try await harness.stripe(
            .POST, "/v1/transfers", key: account.secretKey,
            form: [("amount", "1000"), ("currency", "usd"), ("destination", "acct_1MTfjCQ9PRzxEwkZ")],
            idempotencyKey: "fits")
        XCTAssertEqual(created.status, .ok, created.bodyText)
        let id = try XCTUnwrap(transfer["id"]?.stringValue)
        let balances = try await harness.control(
            .GET, "/_sandbox/payouts/balances?provider=stripe&account=\(account.secretKey)")
        XCTAssertEqual(balances.value(at: "balances.usd")?.int64Value, 0)

        // The control API reverses what is left, as a connected account's dispute would.
        let reversed = try await harness.payoutAction("stripe", id, "reverse")
        XCTAssertEqual(reversed.value(at: "object.reversed"), true)
        XCTAssertEqual(reversed.value(at: "object.amount_reversed")?.int64Value, 1000)
        try await harness.payoutAction("stripe", id, "reverse", expect: 409)
        try await harness.payoutAction("stripe", "tr_unknown", "reverse", expect: 404)
        let event = try await sink.wait(for: 1, name: "stripe", type: "transfer.reversed")
        XCTAssertTrue(event.allSatisfy { WebhookVerification.stripe($0, secret: account.webhookSecret) })
        let kinds = try await harness.operations("?provider=stripe").compactMap { $0["kind"]?.stringValue }
        XCTAssertEqual(kinds, ["payout", "payout_reversal"])
        await sink.stop()
        await harness.stop()
    }
}
