import Contracts
import Foundation
import HTTP
import Shared
import TestSupport
import XCTest

/// Events payments receives from payouts (payees, settled payouts) through its real inbox.
final class PaymentsInboxTests: XCTestCase {
    var harness: PaymentsHarness!

    override func setUp() async throws { harness = try await PaymentsHarness.start() }
    override func tearDown() async throws { await harness?.stop() }

    func testPayoutsArePostedToTheLedgerOnceAndReversalsUndoThem() async throws {
        let tenant = try await harness.createTenant()
        let payee = try await harness.upsertPayee(tenantID: tenant.id)
        let payoutID = CofferID.generate(.payout)
        let processed = try EventEnvelope.make(
            type: MoneyEventType.payoutProcessed, source: "payouts", tenantID: tenant.id, correlationID: nil,
            payload: PayoutEventData(
                payoutID: PayoutID(trusted: payoutID), payeeID: PayeeID(trusted: payee),
                tenantID: TenantID(trusted: tenant.id), livemode: false,
                money: Money(minorUnits: 2500, currency: .usd), status: "paid"))
        let first = try await harness.postEvents([processed])
        XCTAssertEqual(first.status, .ok, first.bodyText)
        let again = try await harness.postEvents([processed])
        XCTAssertEqual(again.status, .ok, "a redelivery is acknowledged")
        var balances = try await harness.ledgerBalances(tenantID: tenant.id)
        XCTAssertEqual(balances["payee_payable:\(payee)"], 2500, "posted once")
        XCTAssertEqual(balances["payouts_clearing"], -2500)

        let reversed = try EventEnvelope.make(
            type: MoneyEventType.payoutReversed, source: "payouts", tenantID: tenant.id, correlationID: nil,
            payload: PayoutEventData(
                payoutID: PayoutID(trusted: payoutID), payeeID: PayeeID(trusted: payee),
                tenantID: TenantID(trusted: tenant.id), livemode: false,
                money: Money(minorUnits: 2500, currency: .usd), status: "reversed"))
        let answer1 = try await harness.postEvents([reversed])
        XCTAssertEqual(answer1.status, .ok)
        balances = try await harness.ledgerBalances(tenantID: tenant.id)
        XCTAssertEqual(balances["payee_payable:\(payee)"], 0)
        XCTAssertEqual(balances["payouts_clearing"], 0)
    }

    func testMalformedAndForeignEventsAreRefusedPermanently() async throws {
        let tenant = try await harness.createTenant()
        let other = try await harness.createTenant(name: "Other")
        let foreign = try EventEnvelope.make(
            type: MoneyEventType.payeeUpserted, source: "payouts", tenantID: tenant.id, correlationID: nil,
            payload: PayeeUpserted(
                payeeID: PayeeID(trusted: CofferID.generate(.payee)), tenantID: TenantID(trusted: other.id),
                livemode: false, recruiterPayeeID: nil,
                status: "active", version: 1))
        let refused = try await harness.postEvents([foreign])
        XCTAssertEqual(refused.status.code, 422, refused.bodyText)
        let malformed = EventEnvelope(
            type: MoneyEventType.payoutProcessed, source: "payouts", tenantID: tenant.id, correlationID: nil,
            data: ["payout_id": "po_x"])
        let answer2 = try await harness.postEvents([malformed])
        XCTAssertEqual(answer2.status.code, 422)
        let noTenant = EventEnvelope(
            type: MoneyEventType.payeeUpserted, source: "payouts", tenantID: nil, correlationID: nil, data: [:])
        let answer3 = try await harness.postEvents([noTenant])
        XCTAssertEqual(answer3.status.code, 422)
        let unknown = EventEnvelope(
            type: "payout.something_new", source: "payouts", tenantID: tenant.id, correlationID: nil, data: [:])
        let answer4 = try await harness.postEvents([unknown])
        XCTAssertEqual(answer4.status, .ok, "unknown types are acknowledged and ignored")
    }

    func testOlderPayeeVersionsNeverOverwriteNewerOnes() async throws {
        let tenant = try await harness.createTenant()
        let recruiter = CofferID.generate(.payee)
        let payee = try await harness.upsertPayee(tenantID: tenant.id, recruiter: recruiter, version: 5)
        _ = try await harness.upsertPayee(tenantID: tenant.id, payeeID: payee, recruiter: nil, version: 3)
        let stored = try await harness.withSuperuserPool { pool in
            try await pool.query("SELECT recruiter_payee_id, version FROM payments.payees WHERE id = \(payee)").first?
                .decode((String?, Int64).self)
        }
        XCTAssertEqual(stored?.0, recruiter)
        XCTAssertEqual(stored?.1, 5)
    }
}
