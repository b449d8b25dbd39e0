import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Events payments receives: provider facts from ingress, payees and settled payouts from payouts. Runs
/// in the inbox's unit of work, so each event's effect happens once.
struct PaymentsEventConsumer: EventConsumer {
    let core: PaymentsCore

    func apply(_ event: EventEnvelope, in work: inout Work, logger: Logger) async throws -> EventOutcome {
        guard let tenantID = event.tenantID, CofferID.isValid(tenantID, prefix: .tenant) else {
            throw PermanentEventError("\(event.type) has no valid tenant_id")
        }
        // Row-level security: this event's effects belong to its tenant only.
        try await work.scope(to: tenantID)
        if let type = ProviderEventType(rawValue: event.type) {
            return try await applyProvider(type, event: event, tenantID: tenantID, logger: logger, in: &work)
        }
        switch event.type {
        case MoneyEventType.payeeUpserted:
            let payee = try decode(PayeeUpserted.self, event)
            guard payee.tenantID.rawValue == tenantID else {
                throw PermanentEventError("payee.upserted for another tenant")
            }
            guard let livemode = payee.livemode else { throw PermanentEventError("payee.upserted carries no livemode") }
            // A payee's mode never changes: an upsert naming the other mode is refused, not applied.
            let stored = try await core.payees.upsert(
                id: payee.payeeID.rawValue, tenantID: tenantID, livemode: livemode,
                recruiterPayeeID: payee.recruiterPayeeID?.rawValue, status: payee.status,
                version: payee.version, on: work.connection)
            if let stored, stored != livemode { throw PermanentEventError("payee.upserted changes a payee's mode") }
            return .applied
        case MoneyEventType.payoutProcessed, MoneyEventType.payoutReversed:
            let payout = try decode(PayoutEventData.self, event)
            guard payout.tenantID.rawValue == tenantID, payout.money.minorUnits > 0, let livemode = payout.livemode
            else {
                throw PermanentEventError("\(event.type) is malformed")
            }
            try await requirePayeeMode(
                payout.payeeID.rawValue, livemode: livemode, what: event.type, on: work.connection)
            let reversed = event.type == MoneyEventType.payoutReversed
            // A destination check (the ₹1 test) is paid from the platform's own account, not a payee's balance.
            let lines =
                payout.destinationCheck == true
                ? LedgerPosting.testPayoutLines(amount: payout.money.minorUnits, reversed: reversed)
                : LedgerPosting.payoutLines(
                    amount: payout.money.minorUnits, payeeID: payout.payeeID.rawValue, reversed: reversed)
            work.post(
                LedgerPosting(
                    tenantID: tenantID, livemode: livemode, kind: reversed ? "payout_reversal" : "payout",
                    reference: payout.payoutID.rawValue, currency: payout.money.currency.code, lines: lines),
                to: core.ledger)
            return .applied
        case MoneyEventType.payeeAdjusted:
            let change = try decode(PayeeBalanceChange.self, event)
            guard change.tenantID.rawValue == tenantID, change.money.minorUnits != 0, let livemode = change.livemode
            else {
                throw PermanentEventError("payee.adjusted is malformed")
            }
            // An operator's credit is in the payee's mode; a livemode reversal takes back money of the
            // other mode, in that mode's books (what the conflict credited there).
            if change.reason == "livemode_reversal" {
                // The reversal's source is the conflict it settles (one reversal per conflict, by the ledger's own key).
                try await LivemodeStore.resolve(conflictID: change.sourceID, on: work.connection)
            } else {
                try await requirePayeeMode(
                    change.payeeID.rawValue, livemode: livemode, what: event.type, on: work.connection)
            }
            work.post(
                LedgerPosting(
                    tenantID: tenantID, livemode: livemode, kind: "payee_adjustment", reference: change.sourceID,
                    currency: change.money.currency.code,
                    lines: LedgerPosting.adjustmentLines(
                        amount: change.money.minorUnits, payeeID: change.payeeID.rawValue)),
                to: core.ledger)
            return .applied
        default:
            return .ignored
        }
    }

    /// Money of one mode never reaches a payee of the other: such an event is refused for good (and
    /// dead-lettered where an operator sees it). A payee whose mode payments has not learned yet is waited for.
    private func requirePayeeMode(_ payeeID: String, livemode: Bool, what: String, on connection: PostgresConnection)
        async throws
    {
        // A destination check's payee may be unknown here; its lines touch no payee.
        guard let known = try await core.payees.livemode(of: payeeID, on: connection) else { return }
        guard let mode = known else { throw PayeeModeUnknown(payeeID: payeeID) }
        guard mode == livemode else { throw PermanentEventError("\(what) for a payee of the other mode") }
    }

    private func applyProvider(
        _ type: ProviderEventType, event: EventEnvelope, tenantID: String, logger: Logger,
        in work: inout Work
    ) async throws -> EventOutcome {
        let data = try decode(ProviderEventData.self, event)
        var eventLogger = logger
        eventLogger[metadataKey: "provider"] = .string(data.provider)
        if data.needsConfirmation {
            // An unsigned callback is a hint: nothing moves until the provider's status API confirms it.
            try await core.awaiting.park(
                eventID: event.id, tenantID: tenantID, type: event.type, data: event.data, reason: "needs_confirmation",
                on: work.connection)
            work.ring(core.confirmationBell)
            return .applied
        }
        switch try await ProviderEventApplier(core: core).apply(
            type: type, data: data, tenantID: tenantID, logger: eventLogger, in: &work)
        {
        case .applied:
            return .applied
        case .unmatched(let reason):
            // Often a race with the request that is creating the payment: try again shortly.
            eventLogger.notice(
                "provider event matches nothing yet; parked",
                ["event_id": .string(event.id), "reason": .string(reason)])
            try await core.awaiting.park(
                eventID: event.id, tenantID: tenantID, type: event.type, data: event.data, reason: "unmatched",
                on: work.connection)
            work.ring(core.confirmationBell)
            return .applied
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ event: EventEnvelope) throws -> T {
        do { return try event.decodeData(T.self) } catch {
            throw PermanentEventError("\(event.type) data is malformed: \(error)")
        }
    }
}

/// A payee payments knows but whose mode it has not learned from payouts yet (rows from before modes were
/// carried): the event is retried once the backfill has it.
struct PayeeModeUnknown: Error, CustomStringConvertible {
    let payeeID: String
    var description: String { "the mode of payee \(payeeID) is not known yet" }
}
