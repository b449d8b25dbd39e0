import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Issue 9, item 6: what governs live money needs a live key, and a change that loosens a control
/// needs a second key (or an operator) to approve exactly what was asked.
final class MakerCheckerTests: XCTestCase {
    func testSettingsThatLoosenAControlWaitForASecondLiveKey() async throws {
        let harness = try await PaymentsHarness.start()
        do {
            let tenant = try await harness.createTenant()
            let live = try await harness.createKey(tenantID: tenant.id, role: "full", livemode: true)
            let liveApprover = try await harness.createKey(tenantID: tenant.id, role: "approver", livemode: true)
            let testApprover = try await harness.createKey(tenantID: tenant.id, role: "approver")

            // A test key governs nothing live.
            let fromTest = try await harness.call(
                .PATCH, "/v1/settings", bearer: tenant.key, json: ["api_rate_limit_per_minute": 10_000])
            XCTAssertEqual(fromTest.status, 403, fromTest.text)
            XCTAssertEqual(fromTest.errorCode, "live_key_required")
            // The review's crash, as a live key would send it: refused, bounded.
            let huge = try await harness.call(
                .PATCH, "/v1/settings", bearer: live.secret,
                json: [
                    "fees": ["provider_fee_fixed": ["USD": .int(.max)]]
                ])
            XCTAssertEqual(huge.status, 400, huge.text)
            XCTAssertEqual(huge.errorCode, "invalid_setting")

            // Tightening applies at once.
            let tightened = try await harness.call(
                .PATCH, "/v1/settings", bearer: live.secret,
                json: [
                    "payout_limits": ["max_single_payout": ["INR": 100_000]], "time_zone": "Asia/Kolkata",
                ])
            XCTAssertEqual(tightened.status, 200, tightened.text)

            // Loosening waits: the settings are unchanged until another live key approves.
            let loosened = try await harness.call(
                .PATCH, "/v1/settings", bearer: live.secret,
                json: [
                    "payout_limits": ["max_single_payout": ["INR": 10_000_000]], "api_rate_limit_per_minute": 5_000,
                ])
            XCTAssertEqual(loosened.status, 202, loosened.text)
            XCTAssertEqual(loosened["object"]?.stringValue, "settings_change")
            XCTAssertEqual(loosened["status"]?.stringValue, "pending_approval")
            XCTAssertEqual(
                Set(loosened["loosened"]?.arrayValue?.compactMap(\.stringValue) ?? []),
                ["api_rate_limit_per_minute", "payout_limits.max_single_payout.INR"])
            let unchanged = try await harness.call(.GET, "/v1/settings", bearer: live.secret)
            XCTAssertEqual(unchanged["payout_limits"]?["max_single_payout"]?["INR"]?.int64Value, 100_000)
            let changeID = loosened.id
            let byItself = try await harness.call(
                .POST, "/v1/settings/changes/\(changeID)/approve", bearer: live.secret)
            XCTAssertEqual(byItself.errorCode, "approver_must_differ", byItself.text)
            let byTestKey = try await harness.call(
                .POST, "/v1/settings/changes/\(changeID)/approve", bearer: testApprover.secret)
            XCTAssertEqual(byTestKey.errorCode, "live_key_required", byTestKey.text)
            let approved = try await harness.call(
                .POST, "/v1/settings/changes/\(changeID)/approve", bearer: liveApprover.secret)
            XCTAssertEqual(approved.status, 200, approved.text)
            XCTAssertEqual(approved["status"]?.stringValue, "applied")
            let applied = try await harness.call(.GET, "/v1/settings", bearer: live.secret)
            XCTAssertEqual(applied["payout_limits"]?["max_single_payout"]?["INR"]?.int64Value, 10_000_000)
            XCTAssertEqual(applied["api_rate_limit_per_minute"]?.int64Value, 5_000)
            let twice = try await harness.call(
                .POST, "/v1/settings/changes/\(changeID)/approve", bearer: liveApprover.secret)
            XCTAssertEqual(twice.status, 409)

            // An approval pins what was approved: a change made against settings that have moved since is refused.
            let stale = try await harness.call(
                .PATCH, "/v1/settings", bearer: live.secret, json: ["fees": ["platform_fee_bps": 100]])
            XCTAssertEqual(stale.status, 202, stale.text)
            _ = try await harness.call(.PATCH, "/v1/settings", bearer: live.secret, json: ["time_zone": "UTC"])
            let moved = try await harness.call(
                .POST, "/v1/settings/changes/\(stale.id)/approve", bearer: liveApprover.secret)
            XCTAssertEqual(moved.errorCode, "settings_changed_since", moved.text)

            // An operator can be the second person.
            let another = try await harness.call(
                .PATCH, "/v1/settings", bearer: live.secret, json: ["fees": ["platform_fee_bps": 200]])
            XCTAssertEqual(another.status, 202, another.text)
            let byOperator = try await harness.admin(
                .POST, "/admin/tenants/\(tenant.id)/settings-changes/\(another.id)/approve")
            XCTAssertEqual(byOperator.status, 200, byOperator.text)
            let fees = try await harness.call(.GET, "/v1/settings", bearer: live.secret)
            XCTAssertEqual(fees["fees"]?["platform_fee_bps"]?.int64Value, 200)
            // Every step is in the audit trail.
            let audit = try await harness.call(.GET, "/v1/audit?limit=100", bearer: live.secret)
            let actions = Set(audit["data"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? [])
            XCTAssertTrue(
                actions.isSuperset(of: ["settings.change_requested", "settings.change_approved", "settings.updated"]),
                "\(actions)")
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    func testReplacingALiveConnectorsCredentialsWaitsForASecondLiveKey() async throws {
        let harness = try await PaymentsHarness.start()
        do {
            let tenant = try await harness.createTenant()
            let live = try await harness.createKey(tenantID: tenant.id, role: "full", livemode: true)
            let liveApprover = try await harness.createKey(tenantID: tenant.id, role: "approver", livemode: true)
            // A test key manages no live connector.
            let fromTest = try await harness.call(
                .PUT, "/v1/connectors/stripe", bearer: tenant.key,
                json: [
                    "mode": "live", "credentials": ["secret_key": "sk_live_from_a_test_key_0000"],
                    "webhook_secret": "whsec_x",
                ])
            XCTAssertEqual(fromTest.errorCode, "mode_mismatch", fromTest.text)
            // The first live connector is created at once (nothing is replaced).
            let created = try await harness.call(
                .PUT, "/v1/connectors/stripe", bearer: live.secret,
                json: [
                    "credentials": ["secret_key": "sk_live_original_1111"], "webhook_secret": "whsec_original_1111",
                ])
            XCTAssertEqual(created.status, 200, created.text)
            // Swapping its credentials waits.
            let swap = try await harness.call(
                .PUT, "/v1/connectors/stripe", bearer: live.secret,
                json: [
                    "credentials": ["secret_key": "sk_live_attacker_9999"]
                ])
            XCTAssertEqual(swap.status, 202, swap.text)
            XCTAssertEqual(swap["object"]?.stringValue, "connector_change")
            XCTAssertFalse(swap.text.contains("sk_live_attacker_9999"), "a pending change never shows its secrets")
            let listed = try await harness.call(.GET, "/v1/connectors", bearer: live.secret)
            XCTAssertEqual(
                listed["data"]?[0]?["credentials"]?["secret_key"]?.stringValue, "****1111", "unchanged until approved")
            // Non-secret changes apply at once (a priority).
            let priority = try await harness.call(
                .PUT, "/v1/connectors/stripe", bearer: live.secret, json: ["priority": 2])
            XCTAssertEqual(priority.status, 200, priority.text)
            // The change was asked against the connector before the priority change: approving it now is refused.
            let stale = try await harness.call(
                .POST, "/v1/connectors/changes/\(swap.id)/approve", bearer: liveApprover.secret)
            XCTAssertEqual(stale.errorCode, "connector_changed_since", stale.text)
            let again = try await harness.call(
                .PUT, "/v1/connectors/stripe", bearer: live.secret,
                json: [
                    "credentials": ["secret_key": "sk_live_rotated_2222"]
                ])
            XCTAssertEqual(again.status, 202, again.text)
            let byItself = try await harness.call(
                .POST, "/v1/connectors/changes/\(again.id)/approve", bearer: live.secret)
            XCTAssertEqual(byItself.errorCode, "approver_must_differ", byItself.text)
            let approved = try await harness.call(
                .POST, "/v1/connectors/changes/\(again.id)/approve", bearer: liveApprover.secret)
            XCTAssertEqual(approved.status, 200, approved.text)
            XCTAssertEqual(approved["credentials"]?["secret_key"]?.stringValue, "****2222")
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    func testTheFirstPayoutRunIsConfirmedByAnotherKey() async throws {
        let harness = try await PayoutsHarness.start()
        do {
            let tenant = try await harness.createTenant(confirmFirstRun: false)
            let approver = try await harness.createKey(tenant, role: "approver")
            let payee = try await harness.createPayee(tenant, balance: 10_000)
            let payout = try await harness.createPayout(tenant, payee: payee, amount: 1_000)
            XCTAssertEqual(payout["status"]?.stringValue, "pending_approval", payout.text)
            let byCreator = try await harness.call(.POST, "/v1/payouts/confirm-first-run", bearer: tenant.key)
            XCTAssertEqual(byCreator.status, 403, byCreator.text)
            XCTAssertEqual(byCreator.errorCode, "approver_must_differ")
            let byApprover = try await harness.call(.POST, "/v1/payouts/confirm-first-run", bearer: approver)
            XCTAssertEqual(byApprover.status, 200, byApprover.text)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
