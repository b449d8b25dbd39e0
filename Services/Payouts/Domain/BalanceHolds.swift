import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Balances held because money of the other mode was credited to them (issue 9): while a hold is open no
/// payout may draw on the payee's balance in that currency, and open payouts wait (`balance_held`). Only
/// a reversal approved by two operators releases it: the first asks, a second (another name) confirms;
/// the crossed amount then leaves the payee's balance and payments takes it back out of the books of the
/// mode it came from.
struct BalanceHolds: Sendable {
    let core: PayoutsCore

    /// Records the hold for `conflict` once and holds the payee's open payouts in that currency. False
    /// when the conflict was already held. Runs in the inbox's transaction (the event's unit).
    func hold(_ conflict: PayeeLivemodeConflict, in work: inout Work) async throws -> Bool {
        // The payee row is locked first, as payout creation locks it: a payout cannot slip past the hold.
        guard
            try await core.payees.lock(
                conflict.payeeID.rawValue, tenantID: conflict.tenantID.rawValue, on: work.connection)
        else {
            throw PermanentEventError("payee.livemode_conflict names no payee of this tenant")
        }
        guard try await core.holds.insert(conflict, on: work.connection) else { return false }
        let open = try await core.payouts.openPayouts(
            payeeID: conflict.payeeID.rawValue, tenantID: conflict.tenantID.rawValue,
            currency: conflict.money.currency.code, on: work.connection)
        for var payout in open where !payout.has(.balanceHeld) {
            let gates = PayoutLifecycle.Gates(
                approvalReasons: payout.approvalReasons, holdReasons: payout.holdReasons,
                scheduledFor: payout.scheduledFor)
            guard
                case .success(let (status, next)) = PayoutLifecycle.next(
                    payout.status, gates, on: .held(reason: HoldReason.balanceHeld.rawValue),
                    now: Date())
            else { continue }
            payout.status = status
            payout.holdReasons = next.holdReasons
            work.write(core.payouts.saveQuery(payout))
            if status == .held { try work.publish(PayoutEventType.held, payout) }
        }
        return true
    }

    enum ReversalOutcome: Sendable {
        case requested(BalanceHold)
        case reversed(BalanceHold)
    }

    /// The reversal: the first operator's call records the request; another operator's applies it.
    func reverse(_ holdID: String, operator name: String, reason: String, correlationID: String) async throws
        -> ReversalOutcome
    {
        try await core.work.runAcrossTenants(actor: "operator:" + name, correlationID: correlationID) { work in
            guard CofferID.isValid(holdID, prefix: .balanceHold),
                var hold = try await core.holds.load(holdID, forUpdate: true, on: work.connection)
            else { throw DomainError.notFound("No such balance hold: \(holdID)", param: "id") }
            let before = hold.json
            switch hold.status {
            case .reversed:
                return .reversed(hold)
            case .held:
                try await core.holds.requestReversal(holdID, by: name, reason: reason, on: work.connection)
                hold.status = .reversalRequested
                hold.requestedBy = name
                hold.requestedReason = reason
                work.audit(
                    "balance_hold.reversal_requested", objectType: "balance_hold", objectID: holdID, before: before,
                    after: ["status": "reversal_requested", "reason": .string(reason)], tenantID: hold.tenantID)
                return .requested(hold)
            case .reversalRequested:
                guard hold.requestedBy != name else {
                    throw DomainError.conflict(
                        "A held balance is released by two operators: another operator must confirm this reversal.",
                        code: "second_operator_required")
                }
            }
            _ = try await core.payees.lock(hold.payeeID, tenantID: hold.tenantID, on: work.connection)
            // The crossed money leaves the payee's balance (it may go below zero if it was paid out: later
            // earnings net it) and payments takes it out of the books of the mode it came from.
            try await core.balances.change(
                tenantID: hold.tenantID, payeeID: hold.payeeID, livemode: hold.livemode, currency: hold.currency,
                amount: -hold.amount, reason: "livemode_reversal", sourceID: hold.conflictID, on: work.connection)
            try work.publish(
                MoneyEventType.payeeAdjusted,
                payload: PayeeBalanceChange(
                    payeeID: PayeeID(trusted: hold.payeeID), tenantID: TenantID(trusted: hold.tenantID),
                    livemode: hold.sourceLivemode,
                    money: Money(minorUnits: -hold.amount, currency: Currency(code: hold.currency) ?? .usd),
                    reason: "livemode_reversal",
                    sourceID: hold.conflictID, paymentID: nil), orderingKey: "payee:" + hold.payeeID,
                tenantID: hold.tenantID)
            try await core.holds.markReversed(holdID, by: name, reason: reason, on: work.connection)
            hold.status = .reversed
            hold.reversedBy = name
            // Payouts that waited only for this hold go on (unless another hold on the balance remains).
            if try await !core.holds.isHeld(
                tenantID: hold.tenantID, payeeID: hold.payeeID, currency: hold.currency, on: work.connection)
            {
                let waiting = try await core.payouts.waiting(
                    on: .balanceHeld, payeeID: hold.payeeID, tenantID: hold.tenantID,
                    currency: hold.currency, on: work.connection)
                _ = try core.clear(HoldReason.balanceHeld.rawValue, from: waiting, in: &work)
                work.ring(core.queueBell)
            }
            work.audit(
                "balance_hold.reversed", objectType: "balance_hold", objectID: holdID, before: before, after: hold.json,
                tenantID: hold.tenantID)
            return .reversed(hold)
        }
    }

    func list(status: BalanceHold.Status?) async throws -> [BalanceHold] {
        try await core.database.platformTransaction { connection in
            try await core.holds.list(status: status?.rawValue, on: connection)
        }
    }

    /// What `cofferctl livemode-report` shows from payouts: holds, the balance entries they cover, and any
    /// payout whose mode is not its payee's.
    func report() async throws -> JSONValue {
        try await core.database.platformTransaction { connection in
            let holds = try await core.holds.all(on: connection)
            let entries = try await core.holds.coveredEntries(on: connection)
            let payouts = try await core.payouts.crossingModes(on: connection)
            let open = holds.filter { $0.status != .reversed }.count
            return [
                "object": "livemode_report", "service": "payouts", "clean": .bool(open == 0 && payouts.isEmpty),
                "open_holds": .int(Int64(open)), "balance_holds": .array(holds.map(\.json)),
                "balance_entries_mixed": .array(entries),
                "payouts_mixed": .array(payouts),
            ]
        }
    }
}
