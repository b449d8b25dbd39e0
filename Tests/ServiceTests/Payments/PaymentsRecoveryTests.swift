import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// A crash at any point repeats no money movement: the payments process is killed while the provider
/// is working on its call, and the client's retry of the same key (or the resolver) finishes the job
/// under the same provider idempotency key.
final class PaymentsRecoveryTests: XCTestCase {
    func testKilledMidCallThenRetriedWithTheSameKeyChargesOnce() async throws {
        let harness = try await PaymentsHarness.start(
            sandbox: true,
            extraEnvironment: [
                "PROVIDER_TIMEOUT": "5s", "PROVIDER_MAX_ATTEMPTS": "1", "IDEMPOTENCY_LEASE": "8s",
            ])
        defer { Task { await harness.stop() } }
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        try await harness.misbehave("stripe", ["latency_ms": 2000])
        let body: JSONValue = ["amount": 7300, "currency": "USD", "metadata": ["order": "A-77"]]
        let doomed = Task {
            try? await harness.call(.POST, "/v1/payments", bearer: tenant.key, json: body, idempotencyKey: "order-A-77")
        }
        // The provider has the call (it executes after its latency) when the process dies.
        let reached = await eventually(timeout: .seconds(5)) {
            (try? await harness.withSuperuserPool { pool in
                try await pool.query("SELECT count(*) FROM payments.payments WHERE tenant_id = \(tenant.id)").first?
                    .decode(Int64.self, at: 0)
            }) == 1
        }
        XCTAssertTrue(reached)
        try await Task.sleep(for: .milliseconds(300))
        try await harness.restart(kill: true)
        _ = await doomed.value
        try await harness.misbehave("stripe", ["latency_ms": 0])

        // Within the lease the key is still held by the dead request.
        let tooSoon = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: body, idempotencyKey: "order-A-77")
        XCTAssertEqual(tooSoon.status, 409, tooSoon.text)
        XCTAssertEqual(tooSoon.errorCode, "idempotency_key_in_use")
        var finished: PaymentsHarness.Answer?
        let resumed = await eventually(timeout: .seconds(15), every: .milliseconds(500)) {
            guard
                let answer = try? await harness.call(
                    .POST, "/v1/payments", bearer: tenant.key, json: body, idempotencyKey: "order-A-77"),
                answer.status == 201
            else { return false }
            finished = answer
            return true
        }
        XCTAssertTrue(resumed)
        XCTAssertEqual(finished?["status"]?.stringValue, "captured", finished?.text ?? "")
        let payments = try await harness.withSuperuserPool { pool in
            try await pool.query("SELECT count(*) FROM payments.payments WHERE tenant_id = \(tenant.id)").first?.decode(
                Int64.self, at: 0)
        }
        XCTAssertEqual(payments, 1, "the retry resumed the payment the dead request created")
        let creates = try await harness.operations("kind=create_payment")
        XCTAssertEqual(creates.count, 1, "the provider charged once")
        let fulfillments = try await harness.withSuperuserPool { pool in
            try await pool.query("SELECT count(*) FROM payments.fulfillments WHERE tenant_id = \(tenant.id)").first?
                .decode(Int64.self, at: 0)
        }
        XCTAssertEqual(fulfillments, 1)
    }

    func testTheResolverFinishesAPaymentWhoseClientNeverCameBack() async throws {
        let harness = try await PaymentsHarness.start(sandbox: true, extraEnvironment: ["PROVIDER_MAX_ATTEMPTS": "1"])
        defer { Task { await harness.stop() } }
        let tenant = try await harness.createTenant()
        try await harness.connectStripe(tenant)
        try await harness.misbehave("stripe", ["timeout_next": 1, "timeout_ms": 4000])
        let created = try await harness.call(
            .POST, "/v1/payments", bearer: tenant.key, json: ["amount": 1200, "currency": "USD"])
        XCTAssertEqual(created.status, 202, created.text)
        XCTAssertEqual(created["status"]?.stringValue, "processing")
        // Make the payment look abandoned (instead of waiting out the resolver's quiet period), then run it.
        try await harness.withSuperuserPool { pool in
            try await pool.execute(
                "UPDATE payments.payments SET updated_at = now() - interval '1 minute' WHERE id = \(created.id)")
            try await pool.execute(
                "UPDATE payments.scheduled_jobs SET run_at = now() WHERE name = 'resolve-pending-payments'")
        }
        let settled = await eventually(timeout: .seconds(20), every: .milliseconds(250)) {
            (try? await harness.payment(created.id, tenant))?["status"]?.stringValue == "captured"
        }
        XCTAssertTrue(settled, "the resolver asked the provider again under the same key")
        let creates = try await harness.operations("kind=create_payment")
        XCTAssertEqual(creates.count, 1)
    }
}
