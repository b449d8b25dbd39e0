import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Issue 9, item 5: an approval pins where the money goes. A payout copies its payee's destination
/// when created; a later change re-pins its open payouts and holds them for a new approval by another
/// key, restarts the cooling period and the destination check; a disabled payee's payouts are held.
final class PayoutDestinationPinningTests: XCTestCase {
    func testAnApprovedPayoutCannotBeRedirectedAndADisabledPayeeIsNotPaid() async throws {
        // No workers at first: payouts wait in the queue while the attack is tried.
        let harness = try await PayoutsHarness.start(payoutsEnvironment: ["PAYOUT_WORKERS": "0"])
        do {
            let tenant = try await harness.createTenant(settings: [
                "payout_limits": ["approval_thresholds": ["INR": 1_000]]
            ])
            let approver = try await harness.createKey(tenant, role: "approver")
            let original = "111122223333", attackers = "999988887777"
            let payee = try await harness.createPayee(tenant, account: original, balance: 100_000)

            // The full key asks for a payout above the threshold; another key approves it.
            let created = try await harness.createPayout(tenant, payee: payee, amount: 20_000)
            XCTAssertEqual(created["status"]?.stringValue, "pending_approval", created.text)
            XCTAssertEqual(created["destination"]?["last4"]?.stringValue, "3333")
            let approved = try await harness.call(.POST, "/v1/payouts/\(created.id)/approve", bearer: approver)
            XCTAssertEqual(approved["status"]?.stringValue, "queued", approved.text)

            // Then the full key points the payee at its own account.
            let changed = try await harness.call(
                .POST, "/v1/payees/\(payee)", bearer: tenant.key,
                json: [
                    "destination": [
                        "type": "bank_account", "account_number": .string(attackers), "ifsc": "HDFC0001234",
                        "holder_name": "Mallory",
                    ]
                ])
            XCTAssertEqual(changed.status, 200, changed.text)
            let held = try await harness.payout(created.id, tenant)
            XCTAssertEqual(held["status"]?.stringValue, "held", "the approved payout waits for a new approval")
            XCTAssertTrue(held["hold_reasons"]?.arrayValue?.contains("destination_changed") ?? false, held.text)
            XCTAssertEqual(
                held["destination"]?["last4"]?.stringValue, "7777",
                "re-pinned, so the new approval approves what it shows")
            // The key that changed the destination cannot release it.
            let selfRelease = try await harness.call(.POST, "/v1/payouts/\(created.id)/release", bearer: tenant.key)
            XCTAssertEqual(selfRelease.status, 403, selfRelease.text)
            XCTAssertEqual(selfRelease.errorCode, "approver_must_differ")

            // A disabled payee's waiting payouts are held, and cannot be released until it is active again.
            let disabled = try await harness.call(
                .POST, "/v1/payees/\(payee)", bearer: tenant.key, json: ["status": "disabled"])
            XCTAssertEqual(disabled.status, 200, disabled.text)
            let stillHeld = try await harness.payout(created.id, tenant)
            XCTAssertTrue(stillHeld["hold_reasons"]?.arrayValue?.contains("payee_disabled") ?? false, stillHeld.text)
            let refused = try await harness.call(.POST, "/v1/payouts/\(created.id)/release", bearer: approver)
            XCTAssertEqual(refused.errorCode, "payee_disabled", refused.text)
            _ = try await harness.call(.POST, "/v1/payees/\(payee)", bearer: tenant.key, json: ["status": "active"])
            let released = try await harness.call(.POST, "/v1/payouts/\(created.id)/release", bearer: approver)
            XCTAssertEqual(released["status"]?.stringValue, "queued", released.text)

            // Workers start: the payout pays the destination the release approved, exactly once.
            try await harness.restartPayouts(changes: ["PAYOUT_WORKERS": "1"])
            let processed = await harness.waitForStatus(created.id, tenant, "processed")
            XCTAssertTrue(processed)
            let settled = try await harness.payout(created.id, tenant)
            let providerID = try XCTUnwrap(settled["provider_payout_id"]?.stringValue)
            let paid = try await harness.razorpayPayout(providerID, tenant)
            XCTAssertEqual(
                paid["fund_account"]?["bank_account"]?["account_number"]?.stringValue, attackers,
                "the destination paid is the one approved after the change, not one swapped in after approval")
            let counts = try await harness.sandboxPayoutsByCofferID()
            XCTAssertEqual(counts[created.id], 1)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    func testAChangedDestinationStartsTheCoolingPeriodAgain() async throws {
        let harness = try await PayoutsHarness.start()
        do {
            let tenant = try await harness.createTenant(settings: ["payout_limits": ["new_payee_cooling_hours": 1]])
            let payee = try await harness.createPayee(tenant, balance: 50_000)
            // Backdate the payee past its cooling period (as if created yesterday).
            _ = try await harness.superuserCount(
                """
                WITH aged AS (UPDATE payouts.payees SET created_at = now() - interval '2 days' WHERE id = '\(payee)' RETURNING 1) SELECT count(*) FROM aged
                """)
            let first = try await harness.createPayout(tenant, payee: payee, amount: 1_000)
            XCTAssertEqual(first.status, 201, first.text)
            _ = try await harness.call(
                .POST, "/v1/payees/\(payee)", bearer: tenant.key,
                json: [
                    "destination": [
                        "type": "bank_account", "account_number": "123412341234", "ifsc": "HDFC0001234",
                        "holder_name": "Asha Rao",
                    ]
                ])
            let afterChange = try await harness.createPayout(tenant, payee: payee, amount: 1_000)
            XCTAssertEqual(afterChange.status, 422, afterChange.text)
            XCTAssertEqual(afterChange.errorCode, "payee_cooling_period")
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
