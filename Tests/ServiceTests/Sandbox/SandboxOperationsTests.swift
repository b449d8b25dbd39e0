import Foundation
import HTTP
import Postgres
import Shared
import TestSupport
import XCTest

/// The proof that nothing was done twice: the operations log, its summary, and its persistence.
final class SandboxOperationsTests: XCTestCase {
    func testSummaryFlagsACofferIDExecutedTwiceUnderDifferentKeys() async throws {
        let harness = try await SandboxHarness.start()
        let stripe = try await harness.registerStripe(webhookURL: nil)
        for key in ["double-1", "double-2"] {
            let (response, _) = try await harness.stripe(
                .POST, "/v1/payment_intents", key: stripe.secretKey,
                form: [
                    ("amount", "1500"), ("currency", "usd"), ("confirm", "true"),
                    ("metadata[coffer_payment_id]", "pay_01TWICE"),
                ], idempotencyKey: key)
            XCTAssertEqual(response.status, .ok)
        }
        // A single payment refunded in two parts is not a double execution: each refund has its own id.
        let (_, single) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: stripe.secretKey,
            form: [
                ("amount", "1000"), ("currency", "usd"), ("confirm", "true"),
                ("metadata[coffer_payment_id]", "pay_01ONCE"),
            ], idempotencyKey: "once-1")
        for (index, refundID) in ["re_01A", "re_01B"].enumerated() {
            _ = try await harness.stripe(
                .POST, "/v1/refunds", key: stripe.secretKey,
                form: [
                    ("payment_intent", single["id"]?.stringValue ?? ""), ("amount", "100"),
                    ("metadata[coffer_refund_id]", refundID),
                ], idempotencyKey: "refund-\(index)")
        }
        let razorpay = try await harness.registerRazorpay(webhookURL: nil)
        for _ in 0..<2 {
            _ = try await harness.razorpay(
                .POST, "/v1/orders", keyID: razorpay.keyID, keySecret: razorpay.keySecret,
                json: ["amount": 1000, "currency": "INR", "receipt": "pay_01RZTWICE"])
        }
        let paypal = try await harness.registerPayPal(webhookURL: nil)
        let token = try await harness.paypalToken(paypal)
        for requestID in ["pp-a", "pp-b"] {
            _ = try await harness.paypal(
                .POST, "/v2/checkout/orders", token: token,
                json: [
                    "intent": "CAPTURE",
                    "purchase_units": [
                        ["custom_id": "pay_01PPTWICE", "amount": ["currency_code": "USD", "value": "1.00"]]
                    ],
                ], requestID: requestID)
        }

        let summary = try await harness.summary()
        XCTAssertEqual(summary["clean"], false)
        XCTAssertEqual(summary.value(at: "by_kind.create_payment")?.int64Value, 7)
        XCTAssertEqual(summary.value(at: "by_kind.refund")?.int64Value, 2)
        XCTAssertEqual(summary.value(at: "by_provider.stripe.create_payment")?.int64Value, 3)
        XCTAssertEqual(summary.value(at: "by_idempotency_key.double-1")?.int64Value, 1)
        let flagged = try XCTUnwrap(summary.value(at: "duplicates.coffer_ids")?.arrayValue)
        XCTAssertEqual(
            Set(flagged.compactMap { $0["coffer_id"]?.stringValue }), ["pay_01TWICE", "pay_01RZTWICE", "pay_01PPTWICE"])
        let stripeFlag = try XCTUnwrap(flagged.first { $0["coffer_id"] == "pay_01TWICE" })
        XCTAssertEqual(stripeFlag["provider"], "stripe")
        XCTAssertEqual(stripeFlag["kind"], "create_payment")
        XCTAssertEqual(stripeFlag["count"]?.int64Value, 2)
        XCTAssertEqual(stripeFlag["idempotency_keys"], ["double-1", "double-2"])
        XCTAssertEqual(stripeFlag["object_ids"]?.arrayValue?.count, 2)
        XCTAssertEqual(summary.value(at: "duplicates.idempotency_keys")?.arrayValue?.count, 0)
        XCTAssertEqual(summary["duplicate_count"]?.int64Value, 3)

        // Filters narrow both the listing and the summary.
        let onlyPayPal = try await harness.summary("?provider=paypal")
        XCTAssertEqual(onlyPayPal["total"]?.int64Value, 2)
        let byCofferID = try await harness.operations("?coffer_id=pay_01TWICE")
        XCTAssertEqual(byCofferID.count, 2)
        await harness.stop()
    }

    func testOperationsArePersistedSurviveARestartAndResetDeletesThem() async throws {
        let harness = try await SandboxHarness.start()
        let stripe = try await harness.registerStripe(webhookURL: nil)
        let (_, intent) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: stripe.secretKey,
            form: [
                ("amount", "777"), ("currency", "usd"), ("confirm", "true"), ("capture_method", "manual"),
                ("metadata[coffer_payment_id]", "pay_01PERSIST"),
            ], idempotencyKey: "persist-1")
        let id = try XCTUnwrap(intent["id"]?.stringValue)
        _ = try await harness.stripe(
            .POST, "/v1/payment_intents/\(id)/capture", key: stripe.secretKey, idempotencyKey: "persist-2")
        let certificateBefore = try await harness.send(.GET, "/_sandbox/paypal/certificate").bodyText
        let before = try await harness.operations()
        XCTAssertEqual(before.count, 2)

        // Written in batches off the request path.
        let pool = harness.database.pool(.owner, poolSize: 1)
        try await harness.eventually("operations persisted") {
            try await pool.query("SELECT count(*) FROM sandbox.operations").first?.decode(Int64.self, at: 0) == 2
        }
        let row = try await pool.query(
            """
            SELECT kind, object_id, idempotency_key, coffer_id, amount, currency, account_id FROM sandbox.operations ORDER BY id LIMIT 1
            """
        ).first
        let (kind, objectID, key, cofferID, amount, currency, accountID) = try XCTUnwrap(row).decode(
            (String, String, String, String, Int64, String, String).self)
        XCTAssertEqual(kind, "create_payment")
        XCTAssertEqual(objectID, id)
        XCTAssertEqual(key, "persist-1")
        XCTAssertEqual(cofferID, "pay_01PERSIST")
        XCTAssertEqual(amount, 777)
        XCTAssertEqual(currency, "USD")
        XCTAssertTrue(accountID.hasPrefix("acct_"))

        try await harness.restart()
        let after = try await harness.operations()
        XCTAssertEqual(after, before, "the same operations, sequences and times after a restart")
        // A restart is a fresh provider: objects are gone, but the account and the PayPal certificate remain.
        let (gone, _) = try await harness.stripe(.GET, "/v1/payment_intents/\(id)", key: stripe.secretKey)
        XCTAssertEqual(gone.status, .notFound)
        let certificateAfter = try await harness.send(.GET, "/_sandbox/paypal/certificate").bodyText
        XCTAssertEqual(certificateAfter, certificateBefore, "connectors keep their pinned certificate")
        let (_, next) = try await harness.stripe(
            .POST, "/v1/payment_intents", key: stripe.secretKey,
            form: [("amount", "5"), ("currency", "usd")])
        XCTAssertNotNil(next["id"])
        let continued = try await harness.operations("?since=2")
        XCTAssertEqual(continued.compactMap { $0["sequence"]?.int64Value }, [3], "sequences continue after a restart")
        let secondAt = before[1]["at"]?.stringValue ?? ""
        let sinceTime = try await harness.operations("?since=" + secondAt)
        // Operations at or after the second one's time: it, any that shared its millisecond, and the new one.
        let sameOrLater = before.filter {
            ($0["at"]?.stringValue).flatMap(Timestamp.parse).map { $0 >= Timestamp.parse(secondAt)! } ?? false
        }
        XCTAssertEqual(sinceTime.count, sameOrLater.count + 1)
        XCTAssertGreaterThanOrEqual(sinceTime.count, 2)

        try await harness.control(.POST, "/_sandbox/reset")
        let remaining = try await pool.query("SELECT count(*) FROM sandbox.operations").first?.decode(Int64.self, at: 0)
        XCTAssertEqual(remaining, 0)
        try await harness.restart()
        let empty = try await harness.operations()
        XCTAssertTrue(empty.isEmpty)
        await pool.shutdown()
        await harness.stop()
    }

    func testAccountsAreListedMaskedAndReplacedOnReRegistration() async throws {
        let harness = try await SandboxHarness.start()
        let sink = try await WebhookSink.start()
        let account = try await harness.registerStripe(webhookURL: "http://127.0.0.1:9/old")
        let listed = try await harness.control(.GET, "/_sandbox/accounts?provider=stripe")
        let shown = try XCTUnwrap(listed["data"]?.arrayValue?.first)
        XCTAssertFalse(shown.jsonString.contains(account.secretKey), "secrets are masked")
        XCTAssertFalse(shown.jsonString.contains(account.webhookSecret))
        XCTAssertTrue(shown["secret_key"]?.stringValue?.hasPrefix("sk_test_…") ?? false)
        let id = try XCTUnwrap(shown["id"]?.stringValue)

        // Registering the same key again replaces its configuration (here: where webhooks go), same id.
        let replaced = try await harness.control(
            .POST, "/_sandbox/accounts",
            [
                "provider": "stripe", "secret_key": .string(account.secretKey), "webhook_url": .string(sink.url("new")),
                "webhook_secret": .string(account.webhookSecret),
            ])
        XCTAssertEqual(replaced["replaced"], true)
        XCTAssertEqual(replaced["id"]?.stringValue, id)
        _ = try await harness.stripe(
            .POST, "/v1/payment_intents", key: account.secretKey,
            form: [("amount", "100"), ("currency", "usd"), ("confirm", "true")])
        try await sink.wait(for: 2, name: "new")
        let after = try await harness.control(.GET, "/_sandbox/accounts")
        XCTAssertEqual(after["data"]?.arrayValue?.count, 1)

        try await harness.control(
            .POST, "/_sandbox/accounts", ["provider": "stripe", "secret_key": "pk_test_public"], expect: 400)
        try await harness.control(.POST, "/_sandbox/accounts", ["provider": "paypal", "client_id": "x"], expect: 400)
        try await harness.control(
            .POST, "/_sandbox/accounts",
            [
                "provider": "razorpay", "key_id": "k", "key_secret": "s",
                "webhook_url": "http://x",
            ], expect: 400)
        try await harness.control(.POST, "/_sandbox/accounts", ["provider": "mpesa"], expect: 400)
        await sink.stop()
        await harness.stop()
    }
}
