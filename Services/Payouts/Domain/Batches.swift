import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Payroll batches. A dry run and a real batch take the same path — every item created in one unit of
/// work, limits, balances and gates checked against the items before it — so the dry run says exactly
/// what the real batch would do; the dry run then rolls back, and a real batch commits only if every
/// item passed (all or nothing). After that each payout proceeds on its own.
struct Batches: Sendable {
    let core: PayoutsCore
    let payouts: Payouts

    struct Item: Sendable {
        let index: Int
        let payout: Payouts.NewPayout
    }

    /// An item that could not be read or created.
    struct ItemError: Sendable, Equatable {
        let index: Int
        let code: String
        let message: String
        let param: String?

        var json: JSONValue {
            [
                "index": .int(Int64(index)), "code": .string(code), "message": .string(message),
                "param": param.map(JSONValue.string) ?? .null,
            ]
        }
    }

    /// What a batch found: each item that passed (in order) and every error.
    struct Check: Sendable {
        let dryRun: Bool
        let itemCount: Int
        let created: [(index: Int, payout: Payout)]
        let errors: [ItemError]
        var totals: JSONValue { Batches.totals(created.map(\.payout)) }
        var isValid: Bool { errors.isEmpty }
    }

    enum Outcome: Sendable {
        /// A dry run, or a real batch refused because some item failed (nothing was created).
        case checked(Check)
        /// A real batch, committed.
        case created(BatchView)
    }

    /// Carries a finished check out of its unit of work so the unit rolls back.
    private struct RolledBack: Error { let check: Check }

    func submit(
        items: [Item], readErrors: [ItemError], dryRun: Bool, _ request: RequestInfo,
        answer: @escaping @Sendable (BatchView) -> StoredAnswer
    ) async throws -> Committed<Outcome> {
        if !dryRun, let batchID = request.claim?.recoveryPoint {
            return .unrecorded(.created(try await get(batchID, request)))
        }
        let batchID = CofferID.generate(.payoutBatch)
        do {
            let committed = try await core.work.run(
                request.work,
                answer: { outcome in
                    guard case .created(let view) = outcome else { return StoredAnswer(status: 500, body: []) }
                    return answer(view)
                }
            ) { work -> Outcome in
                var created: [(index: Int, payout: Payout)] = []
                var errors = readErrors
                for item in items {
                    do {
                        // Earlier items of this batch count against the same limits: their rows are in this transaction.
                        let payout = try await payouts.create(item.payout, request, batchID: batchID, in: &work)
                        created.append((item.index, payout))
                    } catch let error as DomainError where error.kind != .internalFailure {
                        errors.append(
                            ItemError(
                                index: item.index, code: error.code, message: error.message,
                                param: error.param.map { "items[\(item.index)]." + $0 }))
                    }
                }
                errors.sort { $0.index < $1.index }
                let check = Check(
                    dryRun: dryRun, itemCount: items.count + readErrors.count, created: created, errors: errors)
                if dryRun || !errors.isEmpty { throw RolledBack(check: check) }
                try await core.batches.insert(
                    id: batchID, tenantID: request.tenantID, livemode: request.livemode, totals: check.totals,
                    payoutIDs: created.map(\.payout.id), createdBy: request.actor, on: work.connection)
                work.audit(
                    "payout_batch.created", objectType: "payout_batch", objectID: batchID, before: nil,
                    after: ["items": .int(Int64(created.count)), "totals": check.totals])
                work.recover(at: batchID)
                work.ring(core.queueBell)
                return .created(try await view(batchID, tenantID: request.tenantID, on: work.connection))
            }
            return committed
        } catch let rolledBack as RolledBack {
            return .unrecorded(.checked(rolledBack.check))
        }
    }

    /// Count and sum per currency.
    static func totals(_ payouts: [Payout]) -> JSONValue {
        var sums: [String: (count: Int64, amount: Int64)] = [:]
        for payout in payouts {
            let current = sums[payout.currency.code] ?? (0, 0)
            sums[payout.currency.code] = (current.count + 1, current.amount &+ payout.amount)
        }
        return .array(
            sums.keys.sorted().map { currency in
                [
                    "currency": .string(currency), "payouts": .int(sums[currency]!.count),
                    "amount": .int(sums[currency]!.amount),
                ]
            })
    }

    // MARK: Reading

    /// A batch with every item's payout as it is now, and counts per status.
    struct BatchView: Sendable {
        let batch: BatchStore.Row
        let payouts: [(index: Int, payout: Payout)]

        var json: JSONValue {
            var counts: [String: Int64] = [:]
            var items: [JSONValue] = []
            for (index, payout) in payouts {
                counts[payout.status.rawValue, default: 0] += 1
                var item = payout.json.objectValue ?? [:]
                item["index"] = .int(Int64(index))
                items.append(.object(item))
            }
            let open = payouts.contains { !$0.payout.status.isTerminal }
            return [
                "id": .string(batch.id), "object": "payout_batch", "livemode": .bool(batch.livemode),
                "status": .string(open ? "processing" : "completed"), "item_count": .int(Int64(batch.itemCount)),
                "totals": batch.totals,
                "status_counts": .object(counts.mapValues(JSONValue.int)), "created_by": .string(batch.createdBy),
                "created_at": .string(Timestamp.rfc3339(batch.createdAt)), "items": .array(items),
            ]
        }
    }

    func get(_ batchID: String, _ request: RequestInfo) async throws -> BatchView {
        guard CofferID.isValid(batchID, prefix: .payoutBatch) else {
            throw DomainError.notFound("No such payout batch: \(batchID)", param: "id")
        }
        return try await core.database.tenantTransaction(request.tenantID) { connection in
            let view = try await view(batchID, tenantID: request.tenantID, on: connection)
            guard view.batch.livemode == request.livemode else {
                throw DomainError.notFound("No such payout batch: \(batchID)", param: "id")
            }
            return view
        }
    }

    private func view(_ batchID: String, tenantID: String, on connection: PostgresConnection) async throws -> BatchView
    {
        guard let batch = try await core.batches.load(batchID, tenantID: tenantID, on: connection) else {
            throw DomainError.notFound("No such payout batch: \(batchID)", param: "id")
        }
        let payouts = try await core.payouts.inBatch(batchID, tenantID: tenantID, on: connection)
        let byID = Dictionary(uniqueKeysWithValues: payouts.map { ($0.id, $0) })
        return BatchView(
            batch: batch, payouts: batch.payoutIDs.enumerated().compactMap { index, id in byID[id].map { (index, $0) } }
        )
    }
}
