import Foundation
import Platform
import Postgres
import Shared
import Synchronization

/// Gives rows written before modes were carried end to end their mode, then finds the money that
/// crossed modes (issue 9): payees learn theirs from payouts' snapshot, ledger transactions from their
/// payee (or, for destination checks, their payout), and every payment whose payee or recruiter is of
/// the other mode is recorded as a conflict and published to payouts (`payee.livemode_conflict`), in
/// the same transaction, once. Payouts holds the payee's balance until two operators reverse it.
/// Runs until nothing is unknown, then only watches (new rows always carry their mode).
final class LivemodeBackfill: Service {
    let name = "livemode-backfill"
    private let store: LivemodeStore
    private let outbox: Outbox
    private let client: InternalClient
    private let payoutsURL: String
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let doorbell = Doorbell()

    init(database: PostgresPool, outbox: Outbox, client: InternalClient, payoutsURL: String, logger: Logger) {
        store = LivemodeStore(database: database)
        self.outbox = outbox
        self.client = client
        self.payoutsURL = payoutsURL
        self.logger = logger.with(["component": "livemode-backfill"])
    }

    func run() async throws {
        var settled = false
        while !stopping.load(ordering: .relaxed) {
            do {
                settled = try await round()
            } catch {
                logger.warning("livemode backfill round failed; retried", ["error": .string(String(describing: error))])
            }
            await doorbell.wait(timeout: settled ? .seconds(600) : .seconds(5))
        }
    }

    func shutdown() async {
        stopping.store(true, ordering: .relaxed)
        doorbell.ring()
    }

    /// One pass; true when nothing is of unknown mode any more.
    func round() async throws -> Bool {
        var unknown = try await store.unknown()
        if unknown.payees > 0 {
            let snapshot = try await client.get(payoutsURL + "/internal/snapshot/payees", from: "payouts", as: PayeeSnapshot.self)
            let modes = Dictionary(snapshot.payees.compactMap { payee in payee.livemode.map { (payee.payeeID, $0) } },
                                   uniquingKeysWith: { first, _ in first })
            let filled = try await store.setPayeeModes(modes)
            if filled > 0 { logger.notice("payees learned their mode", ["count": .int(Int64(filled))]) }
        }
        let payouts = try await store.fillLedgerFromPayees()
        if !payouts.isEmpty {
            let url = payoutsURL + "/internal/payouts/modes?ids=" + payouts.prefix(500).joined(separator: ",")
            let answer = try await client.get(url, from: "payouts", as: PayoutModes.self)
            try await store.setPayoutModes(Dictionary(answer.payouts.map { ($0.id, $0.livemode) }, uniquingKeysWith: { first, _ in first }))
        }
        let published = try await publishConflicts()
        unknown = try await store.unknown()
        if published > 0 {
            logger.error("money of one mode was credited to payees of the other; their balances are held until two operators reverse it",
                         ["conflicts": .int(Int64(published))])
        }
        return unknown.isEmpty
    }

    private func publishConflicts() async throws -> Int {
        let store = self.store
        let outbox = self.outbox
        let count = try await store.database.platformTransaction { connection -> Int in
            let conflicts = try await store.recordNewConflicts(on: connection)
            var entries: [Outbox.Entry] = []
            for conflict in conflicts where conflict.amount != 0 {
                let payload = PayeeLivemodeConflict(conflictID: conflict.id, payeeID: conflict.payeeID, tenantID: conflict.tenantID,
                                                    payeeLivemode: conflict.payeeLivemode, sourceLivemode: conflict.paymentLivemode,
                                                    amount: conflict.amount, currency: conflict.currency, sourceIDs: conflict.sourceIDs)
                let event = try EventEnvelope.make(type: MoneyEventType.payeeLivemodeConflict, source: "payments", tenantID: conflict.tenantID,
                                                   correlationID: nil, payload: payload)
                entries.append(Outbox.Entry(event, orderingKey: "payee:" + conflict.payeeID))
            }
            try await outbox.enqueue(entries, on: connection)
            return entries.count
        }
        if count > 0 { outbox.nudge() }
        return count
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
