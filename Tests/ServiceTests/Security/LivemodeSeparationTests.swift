import Contracts
import Ctl
import Foundation
import HTTP
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

@testable import Payments
@testable import Payouts

/// Issue 9, item 1: test money never reaches a live payee. The attack through the public API is
/// refused at every door; rows an earlier version wrote across modes are found by the migration,
/// listed by `cofferctl livemode-report`, held, and released only by a reversal two operators approve.
final class LivemodeSeparationTests: XCTestCase {
    /// The review's scenario: a `ck_test` key names a live payee in a test payment.
    func testATestKeyCannotPayALivePayeeAndTestMoneyNeverReachesALiveBalance() async throws {
        let harness = try await PayoutsHarness.start()
        do {
            let tenant = try await harness.createTenant()
            let liveKey = try await harness.createKey(tenant, role: "full", livemode: true)
            let livePayee = try await harness.call(
                .POST, "/v1/payees", bearer: liveKey,
                json: [
                    "name": "Live seller", "type": "seller",
                    "destination": [
                        "type": "bank_account", "account_number": "123456789012", "ifsc": "HDFC0001234",
                        "holder_name": "Live Seller",
                    ],
                ])
            XCTAssertEqual(livePayee.status, 201, livePayee.text)
            let testPayee = try await harness.createPayee(tenant)
            // Payments learns both payees (and their modes) from payee.upserted.
            let known = await eventually(timeout: .seconds(20)) {
                (try? await harness.superuserCount(
                    "SELECT count(*) FROM payments.payees WHERE livemode IS NOT NULL AND tenant_id = '\(tenant.id)'"))
                    == 2
            }
            XCTAssertTrue(known)

            // The test key names the live payee: no such payee, as another tenant's would be.
            let crossing = try await harness.call(
                .POST, "/v1/payments", bearer: tenant.key,
                json: [
                    "amount": 5000, "currency": "INR", "payee_id": .string(livePayee.id),
                ], on: harness.payments.baseURL)
            XCTAssertEqual(crossing.status, 400, crossing.text)
            XCTAssertEqual(crossing.errorCode, "unknown_payee")
            await XCTAssertEqualAsync(
                try await harness.superuserCount(
                    "SELECT count(*) FROM payments.payments WHERE payee_id = '\(livePayee.id)'"), 0)
            // The test payee is a payee to the test key (the request gets past the payee check).
            let sameMode = try await harness.call(
                .POST, "/v1/payments", bearer: tenant.key,
                json: [
                    "amount": 5000, "currency": "INR", "payee_id": .string(testPayee),
                ], on: harness.payments.baseURL)
            XCTAssertNotEqual(sameMode.errorCode, "unknown_payee", sameMode.text)
            // And the live key (with a live connector: the payee check comes before any provider call) cannot
            // name the test payee either.
            let liveConnector = try await harness.call(
                .PUT, "/v1/connectors/stripe", bearer: liveKey,
                json: [
                    "credentials": ["secret_key": "sk_live_never_called_0000"],
                    "webhook_secret": "whsec_live_never_used",
                ], on: harness.payments.baseURL)
            XCTAssertEqual(liveConnector.status, 200, liveConnector.text)
            let reverse = try await harness.call(
                .POST, "/v1/payments", bearer: liveKey,
                json: [
                    "amount": 5000, "currency": "INR", "payee_id": .string(testPayee),
                ], on: harness.payments.baseURL)
            XCTAssertEqual(reverse.errorCode, "unknown_payee", reverse.text)

            // A balance change naming the other mode (as a buggy or forged producer would send) is refused for good.
            let forged = try harness.balanceEvent(
                MoneyEventType.payeeCredited, tenant, payee: livePayee.id, amount: 9_000,
                reason: "payment_captured", livemode: false)
            let refused = try await harness.postEvents([forged])
            XCTAssertEqual(refused.status.code, 422, refused.bodyText)
            let unlabelled = try EventEnvelope.make(
                type: MoneyEventType.payeeCredited, source: "payments", tenantID: tenant.id, correlationID: nil,
                payload: PayeeBalanceChange(
                    payeeID: PayeeID(trusted: livePayee.id), tenantID: TenantID(trusted: tenant.id),
                    livemode: nil, money: Money(minorUnits: 9_000, currency: .inr),
                    reason: "payment_captured",
                    sourceID: CofferID.generate(.payment), paymentID: nil))
            await XCTAssertEqualAsync(
                try await harness.postEvents([unlabelled]).status.code, 422, "a change without a mode is refused")
            await XCTAssertEqualAsync(
                try await harness.superuserCount(
                    "SELECT count(*) FROM payouts.balance_entries WHERE payee_id = '\(livePayee.id)'"), 0)
            // Same-mode money still arrives.
            let genuine = try harness.balanceEvent(
                MoneyEventType.payeeCredited, tenant, payee: livePayee.id, amount: 9_000,
                reason: "payment_captured", livemode: true)
            await XCTAssertEqualAsync(try await harness.postEvents([genuine]).status.code, 200)
            await XCTAssertEqualAsync(
                try await harness.superuserCount(
                    """
                    SELECT count(*) FROM payouts.balances WHERE payee_id = '\(livePayee.id)' AND livemode AND available = 9000
                    """), 1)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// Rows an earlier version wrote: a test payment captured for a live payee, its credit in the live
    /// payee's balance. The new version gives every row its mode, records the conflict, holds the live
    /// balance, and releases it only after two operators reverse it; nothing moves before that.
    func testCrossedRowsFromAnEarlierVersionAreHeldListedAndReversedByTwoOperators() async throws {
        let seed = Seed()
        let harness = try await PayoutsHarness.start(prepare: { database in try await seed.writeOldRows(database) })
        do {
            let live = seed.liveKey.secret
            // The migration and backfill find it; payouts holds the live payee's USD balance.
            let held = await eventually(timeout: .seconds(40)) {
                (try? await harness.admin(.GET, "/admin/balance-holds?status=held"))?["data"]?.arrayValue?.count == 1
            }
            XCTAssertTrue(held, "the crossed credit is held")
            let hold = try await harness.admin(.GET, "/admin/balance-holds")["data"]?.arrayValue?.first
            let holdID = try XCTUnwrap(hold?["id"]?.stringValue)
            XCTAssertEqual(hold?["payee_id"]?.stringValue, seed.livePayee)
            XCTAssertEqual(hold?["amount"]?.int64Value, 9_000)
            XCTAssertEqual(hold?["source_ids"]?.arrayValue?.first?.stringValue, seed.crossedPayment)
            // Every ledger row got its mode: the crossed capture is in the test books.
            await XCTAssertEqualAsync(
                try await harness.superuserCount(
                    "SELECT count(*) FROM payments.ledger_transactions WHERE livemode IS NULL"), 0)
            await XCTAssertEqualAsync(
                try await harness.superuserCount(
                    """
                    SELECT count(*) FROM payments.ledger_transactions WHERE reference = '\(seed.crossedPayment)' AND NOT livemode
                    """), 1)

            // The runbook command lists it and fails.
            var lines: [String] = []
            let environment = [
                "PAYMENTS_INTERNAL_URL": harness.payments.internalURL,
                "PAYOUTS_INTERNAL_URL": harness.payouts.internalURL,
                "COFFER_ADMIN_TOKEN": TestStackEnvironment.adminToken, "COFFER_ENV_FILE": "/dev/null",
            ]
            let dirty = await CofferCtl.main(
                arguments: ["livemode-report"], environment: environment, output: CtlOutput { lines.append($0) })
            XCTAssertEqual(dirty, 1, lines.joined(separator: "\n"))
            XCTAssertTrue(lines.joined(separator: "\n").contains(seed.crossedPayment), lines.joined(separator: "\n"))
            XCTAssertFalse(
                lines.joined(separator: "\n").contains(seed.sameModePayment), "same-mode money is not listed")

            // While held, the live balance pays nothing out.
            let payout = try await harness.call(
                .POST, "/v1/payouts", bearer: live,
                json: [
                    "payee_id": .string(seed.livePayee), "amount": 1_000, "currency": "USD",
                ], idempotencyKey: UUID().uuidString)
            XCTAssertEqual(payout.status, 409, payout.text)
            XCTAssertEqual(payout.errorCode, "balance_held")

            // One operator asks; the same one cannot confirm; a second one does.
            let first = try await harness.admin(
                .POST, "/admin/balance-holds/\(holdID)/reverse", json: ["reason": "test payment credited a live payee"])
            XCTAssertEqual(first.status, 202, first.text)
            XCTAssertEqual(first["status"]?.stringValue, "reversal_requested")
            let again = try await harness.admin(
                .POST, "/admin/balance-holds/\(holdID)/reverse", json: ["reason": "again"])
            XCTAssertEqual(again.status, 409)
            XCTAssertEqual(again.errorCode, "second_operator_required")
            await XCTAssertEqualAsync(
                try await harness.balance(seed.livePayee, key: live, currency: "USD").available, 9_000,
                "nothing moved yet")
            let second = try await harness.admin(
                .POST, "/admin/balance-holds/\(holdID)/reverse", json: ["reason": "confirmed"],
                token: TestStackEnvironment.secondAdminToken)
            XCTAssertEqual(second.status, 200, second.text)
            XCTAssertEqual(second["status"]?.stringValue, "reversed")

            // The live balance equals the live books; the test books no longer owe the live payee anything.
            await XCTAssertEqualAsync(
                try await harness.balance(seed.livePayee, key: live, currency: "USD").available, 0)
            let settled = await eventually(timeout: .seconds(20)) {
                (try? await harness.superuserCount(
                    """
                    SELECT coalesce(sum(amount), 0)::bigint FROM payments.ledger_entries
                    WHERE account = 'payee_payable:\(seed.livePayee)' AND NOT livemode
                    """)) == 0
            }
            XCTAssertTrue(settled, "payments took the crossed credit back out of the test books")
            await XCTAssertEqualAsync(
                try await harness.superuserCount(
                    """
                    SELECT coalesce(sum(amount), 0)::bigint FROM payments.ledger_entries WHERE account = 'payee_payable:\(seed.livePayee)' AND livemode
                    """), 0)
            let resolved = await eventually(timeout: .seconds(20)) {
                lines.removeAll()
                return await CofferCtl.main(
                    arguments: ["livemode-report"], environment: environment, output: CtlOutput { lines.append($0) })
                    == 0
            }
            XCTAssertTrue(resolved, lines.joined(separator: "\n"))
            // The same-mode test payee kept its money.
            await XCTAssertEqualAsync(
                try await harness.balance(seed.testPayee, key: seed.testKey.secret, currency: "USD").available, 4_500)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    /// Writes, through SQL, what payments (through migration 11) and payouts (through migration 10) held
    /// before modes were carried: a tenant with a test and a live key, a live and a test payee, a test
    /// payment captured for each, their ledger postings and the payees' credited balances.
    final class Seed: @unchecked Sendable {
        let tenant = CofferID.generate(.tenant)
        let testKey = APIKeyMaterial.generate(livemode: false)
        let liveKey = APIKeyMaterial.generate(livemode: true)
        let livePayee = CofferID.generate(.payee)
        let testPayee = CofferID.generate(.payee)
        let crossedPayment = CofferID.generate(.payment)
        let sameModePayment = CofferID.generate(.payment)

        func writeOldRows(_ database: TestDatabase) async throws {
            let owner = database.pool(.owner, poolSize: 1)
            let logger = TestEnvironment.logger()
            _ = try await Migrator(
                pool: owner, schema: "payments", migrations: Array(PaymentsMigrations.all.prefix(11)), logger: logger
            )
            .migrate(grantTo: [database.appRole, "coffer_platform"])
            _ = try await Migrator(
                pool: owner, schema: "payouts", migrations: Array(PayoutsMigrations.all.prefix(10)), logger: logger
            )
            .migrate(grantTo: [database.appRole, "coffer_platform"])
            await owner.shutdown()
            let admin = database.pool(.admin, poolSize: 1)
            defer { Task { await admin.shutdown() } }
            let settings = TenantSettings.defaults.json.jsonString
            try await admin.execute(
                """
                INSERT INTO payments.tenants (id, name, status, settings, version) VALUES (\(tenant), 'Old shop', 'active', \(settings)::jsonb, 1)
                """)
            for (key, mode) in [(testKey, "test"), (liveKey, "live")] {
                let keyID = CofferID.generate(.apiKey)
                try await admin.execute(
                    """
                    INSERT INTO payments.api_keys (id, tenant_id, key_hash, prefix, role, mode, created_by)
                    VALUES (\(keyID), \(tenant), \(key.hash), \(key.prefix), 'full', \(mode), 'operator:old')
                    """)
                try await admin.execute(
                    """
                    INSERT INTO payouts.api_keys (key_id, tenant_id, key_hash, prefix, role, mode, created_at)
                    VALUES (\(keyID), \(tenant), \(key.hash), \(key.prefix), 'full', \(mode), now())
                    """)
            }
            try await admin.execute(
                """
                INSERT INTO payouts.tenants (tenant_id, name, status, settings, version) VALUES (\(tenant), 'Old shop', 'active', \(settings)::jsonb, 1)
                """)
            for (payee, live) in [(livePayee, true), (testPayee, false)] {
                try await admin.execute(
                    "INSERT INTO payments.payees (id, tenant_id, status, version) VALUES (\(payee), \(tenant), 'active', 1)"
                )
                try await admin.execute(
                    """
                    INSERT INTO payouts.payees (id, tenant_id, livemode, name, type, destination_kind, destination_sealed, destination_last4,
                        destination_fingerprint, status, version, created_by, created_at)
                    VALUES (\(payee), \(tenant), \(live), 'Seller', 'seller', 'bank_account', 'v1.sealed-elsewhere', '9012',
                        \(CofferID.generate(.request)), 'active', 1, 'key_old', now() - interval '30 days')
                    """)
            }
            // Two test payments: one (the bug) for the live payee, one for the test payee.
            for (payment, payee, net) in [
                (crossedPayment, livePayee, Int64(9_000)), (sameModePayment, testPayee, Int64(4_500)),
            ] {
                let gross = net * 10 / 9
                try await admin.execute(
                    """
                    INSERT INTO payments.payments (id, tenant_id, livemode, amount, currency, amount_captured, status, capture_method,
                        provider, payee_id, platform_fee, provider_fee, referral_bounty, payee_net, created_by, captured_at)
                    VALUES (\(payment), \(tenant), false, \(gross), 'USD', \(gross), 'captured', 'automatic', 'stripe', \(payee),
                        \(gross - net), 0, 0, \(net), 'key_old', now())
                    """)
                let transaction = CofferID.generate(.ledgerEntry)
                try await admin.execute(
                    "INSERT INTO payments.ledger_transactions (id, tenant_id, kind, reference) VALUES (\(transaction), \(tenant), 'capture', \(payment))"
                )
                try await admin.execute(
                    """
                    INSERT INTO payments.ledger_entries (transaction_id, tenant_id, account, currency, amount) VALUES
                        (\(transaction), \(tenant), 'provider_clearing', 'USD', \(gross)),
                        (\(transaction), \(tenant), \("payee_payable:" + payee), 'USD', \(-net)),
                        (\(transaction), \(tenant), 'platform_revenue', 'USD', \(net - gross))
                    """)
                try await admin.execute(
                    """
                    INSERT INTO payouts.balance_entries (tenant_id, payee_id, currency, amount, reason, source_id)
                    VALUES (\(tenant), \(payee), 'USD', \(net), 'payment_captured', \(payment))
                    """)
                try await admin.execute(
                    """
                    INSERT INTO payouts.balances (tenant_id, payee_id, currency, available) VALUES (\(tenant), \(payee), 'USD', \(net))
                    """)
            }
        }
    }
}
