import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Gives rows written before modes were carried end to end their mode, then finds the money that
/// crossed modes (issue 9): payees learn theirs from payouts' snapshot, ledger transactions from their
/// payee (or, for destination checks, their payout), and every payment whose payee or recruiter is of
/// the other mode is recorded as a conflict and published to payouts (`payee.livemode_conflict`), in
/// the same transaction, once. Payouts holds the payee's balance until two operators reverse it.
/// Runs until nothing is unknown, then only watches (new rows always carry their mode).
struct LivemodeBackfill: Sendable {
    let core: PaymentsCore
    let client: InternalClient
    let payoutsURL: String
    private var store: LivemodeStore { LivemodeStore(database: core.database) }
    private var logger: Logger { core.logger.with(["component": "livemode-backfill"]) }

    /// Every five seconds until nothing is unknown, then every ten minutes.
    var loop: PollingLoop {
        PollingLoop(name: "livemode-backfill", idle: .seconds(5), afterFailure: .seconds(5), logger: core.logger) {
            try await round() ? .sleep(.seconds(600)) : .idle
        }
    }

    /// One pass; true when nothing is of unknown mode any more.
    func round() async throws -> Bool {
        var unknown = try await store.unknown()
        if unknown.payees > 0 {
            let snapshot = try await client.get(
                payoutsURL + "/internal/snapshot/payees", from: "payouts", as: PayeeSnapshot.self)
            let modes = Dictionary(
                snapshot.payees.compactMap { payee in payee.livemode.map { (payee.payeeID, $0) } },
                uniquingKeysWith: { first, _ in first })
            let filled = try await store.setPayeeModes(modes)
            if filled > 0 { logger.notice("payees learned their mode", ["count": .int(Int64(filled))]) }
        }
        let payouts = try await store.fillLedgerFromPayees()
        if !payouts.isEmpty {
            let url = payoutsURL + "/internal/payouts/modes?ids=" + payouts.prefix(500).joined(separator: ",")
            let answer = try await client.get(url, from: "payouts", as: PayoutModes.self)
            try await store.setPayoutModes(
                Dictionary(answer.payouts.map { ($0.id, $0.livemode) }, uniquingKeysWith: { first, _ in first }))
        }
        let published = try await publishConflicts()
        unknown = try await store.unknown()
        if published > 0 {
            logger.error(
                "money of one mode was credited to payees of the other; their balances are held until two operators reverse it",
                ["conflicts": .int(Int64(published))])
        }
        return unknown.isEmpty
    }

    private func publishConflicts() async throws -> Int {
        let store = self.store
        return try await core.work.runAcrossTenants(actor: "system:livemode-backfill") { work -> Int in
            var published = 0
            for conflict in try await store.recordNewConflicts(on: work.connection) where conflict.amount != 0 {
                guard let currency = Currency(code: conflict.currency) else { continue }
                let payload = PayeeLivemodeConflict(
                    conflictID: conflict.id, payeeID: PayeeID(trusted: conflict.payeeID),
                    tenantID: TenantID(trusted: conflict.tenantID), payeeLivemode: conflict.payeeLivemode,
                    sourceLivemode: conflict.paymentLivemode,
                    money: Money(minorUnits: conflict.amount, currency: currency), sourceIDs: conflict.sourceIDs)
                try work.publish(
                    MoneyEventType.payeeLivemodeConflict, payload: payload, orderingKey: "payee:" + conflict.payeeID,
                    tenantID: conflict.tenantID)
                published += 1
            }
            return published
        }
    }

    /// What payouts' payee snapshot carries that this needs.
    struct PayeeSnapshot: Decodable {
        struct Payee: Decodable {
            let payeeID: String
            let livemode: Bool?
        }
        let payees: [Payee]
    }

    /// `GET /internal/payouts/modes?ids=…`: each payout's mode.
    struct PayoutModes: Decodable {
        struct Payout: Decodable {
            let id: String
            let livemode: Bool
        }
        let payouts: [Payout]
    }
}
