import Foundation
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

@testable import Payouts

/// Payees' balances on real PostgreSQL, through payouts' own migrations and the runtime role: a credit
/// is applied once per source, a reservation never takes `available` below zero however many race for
/// it, and every movement keeps `available + reserved` equal to the journal.
final class BalanceStoreTests: XCTestCase {
    static let tenant = "ten_01JT0000000000000000000004"
    static let payee = "pe_01JT0000000000000000000004"
    let store = BalanceStore()

    func makePool() async throws -> PostgresPool {
        let database = try await TestDatabase.create()
        let owner = database.pool(.owner)
        _ = try await Migrator(
            pool: owner, schema: "payouts", migrations: PayoutsApp.identity.migrations,
            logger: TestEnvironment.logger()
        ).migrate(grantTo: [database.appRole, "coffer_platform"])
        await owner.shutdown()
        return database.pool(.app, poolSize: 12)
    }

    func balance(_ pool: PostgresPool) async throws -> (available: Int64, reserved: Int64, journal: Int64) {
        try await pool.tenantTransaction(Self.tenant) { connection in
            let row = try await connection.query(
                """
                SELECT b.available, b.reserved, (SELECT coalesce(sum(amount), 0)::bigint FROM payouts.balance_entries e
                                                 WHERE e.tenant_id = b.tenant_id AND e.payee_id = b.payee_id AND e.currency = b.currency)
                FROM payouts.balances b WHERE b.tenant_id = \(Self.tenant) AND b.payee_id = \(Self.payee) AND b.currency = 'INR'
                """
            ).first
            let values = try XCTUnwrap(row).decode((Int64, Int64, Int64).self)
            return (values.0, values.1, values.2)
        }
    }

    func credit(_ pool: PostgresPool, _ amount: Int64, source: String) async throws -> Bool {
        try await pool.tenantTransaction(Self.tenant) { connection in
            try await store.change(
                tenantID: Self.tenant, payeeID: Self.payee, livemode: false, currency: "INR", amount: amount,
                reason: "payment_captured", sourceID: source, on: connection)
        }
    }

    func testACreditIsAppliedOncePerSourceAndReservationsNeverOverdraw() async throws {
        let pool = try await makePool()
        defer { Task { await pool.shutdown() } }
        let first = try await credit(pool, 100, source: "pay_1")
        let again = try await credit(pool, 100, source: "pay_1")
        XCTAssertTrue(first)
        XCTAssertFalse(again, "the same source twice is one credit")
        let store = store
        // Twenty payouts of 10 race for 100: exactly ten get it.
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await pool.tenantTransaction(Self.tenant) { connection in
                        if case .reserved = try await store.reserve(
                            tenantID: Self.tenant, payeeID: Self.payee, currency: "INR", amount: 10, on: connection)
                        {
                            return true
                        }
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { $0 }.count, 10)
        let after = try await balance(pool)
        XCTAssertEqual(after.available, 0)
        XCTAssertEqual(after.reserved, 100)
        XCTAssertEqual(after.available + after.reserved, after.journal)
        let refused = try await pool.tenantTransaction(Self.tenant) { connection in
            try await store.reserve(
                tenantID: Self.tenant, payeeID: Self.payee, currency: "INR", amount: 1, on: connection)
        }
        guard case .insufficient(let available) = refused else { return XCTFail("\(refused)") }
        XCTAssertEqual(available, 0)
        let otherCurrency = try await pool.tenantTransaction(Self.tenant) { connection in
            try await store.reserve(
                tenantID: Self.tenant, payeeID: Self.payee, currency: "USD", amount: 1, on: connection)
        }
        guard case .noBalanceInCurrency = otherCurrency else { return XCTFail("\(otherCurrency)") }
    }
}
