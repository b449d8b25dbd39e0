import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Tenant isolation: every endpoint that takes an object id, walked with another tenant's ids (and
/// with the same tenant's key of the other mode), answers 404 — and nothing was read or changed.
/// The endpoint list comes from the OpenAPI document, so a new endpoint is walked automatically.
final class PaymentsIsolationTests: XCTestCase {
    func testEveryEndpointAnswers404ForAnotherTenantsIDsAndChangesNothing() async throws {
        let harness = try await PaymentsHarness.start(sandbox: true)
        defer { Task { await harness.stop() } }
        let victim = try await harness.createTenant(
            name: "Victim", settings: ["refund_policy": ["approval_thresholds": ["USD": 100]]])
        try await harness.connectStripe(victim)
        let authorized = try await harness.call(
            .POST, "/v1/payments", bearer: victim.key,
            json: ["amount": 5000, "currency": "USD", "capture_method": "manual"])
        let captured = try await harness.call(
            .POST, "/v1/payments", bearer: victim.key, json: ["amount": 5000, "currency": "USD"])
        let refund = try await harness.call(
            .POST, "/v1/payments/\(captured.id)/refunds", bearer: victim.key, json: ["amount": 1000])
        XCTAssertEqual(refund["status"]?.stringValue, "pending_approval")
        let before = try await snapshot(harness, victim)

        let attacker = try await harness.createTenant(name: "Attacker")
        try await harness.connectStripe(attacker)
        let attackerApprover = try await harness.createKey(tenantID: attacker.id, role: "approver")
        let liveKey = try await harness.admin(
            .POST, "/admin/tenants/\(victim.id)/api-keys", json: ["role": "full", "livemode": true])
        let victimLive = try XCTUnwrap(liveKey["secret"]?.stringValue)

        let routes = try PaymentsOpenAPITests.check.documentedRoutes().filter {
            $0.contains(" /v1/") && $0.contains("{id}")
        }.sorted()
        XCTAssertGreaterThanOrEqual(routes.count, 8, "\(routes)")
        var walked = 0
        for route in routes {
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            let method = HTTPMethod(parts[0])
            for id in [authorized.id, captured.id, refund.id] {
                let path = parts[1].replacingOccurrences(of: "{id}", with: id)
                for key in [attacker.key, attackerApprover.secret, victimLive] {
                    let answer = try await harness.call(method, path, bearer: key, json: method == .GET ? nil : [:])
                    if let refusal = answer.errorCode, ["insufficient_role", "live_key_required"].contains(refusal) {
                        // The key's role (or mode, for routes only live keys may use) is refused before any
                        // lookup: the same answer for any id, so no oracle.
                        let unknown = parts[1].replacingOccurrences(of: "{id}", with: CofferID.generate(.payment))
                        let control = try await harness.call(method, unknown, bearer: key, json: [:])
                        XCTAssertEqual(control.errorCode, refusal)
                        continue
                    }
                    XCTAssertEqual(answer.status, 404, "\(route) with \(id): \(answer.text)")
                    XCTAssertFalse(answer.text.contains(victim.id), "\(route) leaked the victim's tenant id")
                    walked += 1
                }
            }
        }
        XCTAssertGreaterThan(walked, 60)
        // Lists and the audit trail show the attacker nothing of the victim's.
        for path in [
            "/v1/payments", "/v1/refunds", "/v1/refunds?payment_id=\(captured.id)", "/v1/audit", "/v1/connectors",
        ] {
            let answer = try await harness.call(.GET, path, bearer: attacker.key)
            XCTAssertEqual(answer.status, 200, "\(path): \(answer.text)")
            for id in [authorized.id, captured.id, refund.id, victim.id] {
                XCTAssertFalse(answer.text.contains(id), "\(path) shows \(id)")
            }
        }
        let after = try await snapshot(harness, victim)
        XCTAssertEqual(after, before, "nothing of the victim's changed")
        let providerCalls = try await harness.operations("kind=capture")
        XCTAssertTrue(providerCalls.isEmpty)
    }

    /// The victim's payments and refunds as stored.
    private func snapshot(_ harness: PaymentsHarness, _ tenant: PaymentsHarness.Tenant) async throws -> [String] {
        try await harness.withSuperuserPool { pool in
            try await pool.query(
                """
                SELECT id || ':' || status || ':' || amount_captured || ':' || amount_refunded || ':' || amount_refund_reserved || ':' || updated_at
                FROM payments.payments WHERE tenant_id = \(tenant.id)
                UNION ALL
                SELECT id || ':' || status || ':' || coalesce(approved_by, '') || ':' || updated_at FROM payments.refunds WHERE tenant_id = \(tenant.id)
                ORDER BY 1
                """
            ).map { try $0.decode(String.self, at: 0) }
        }
    }
}
