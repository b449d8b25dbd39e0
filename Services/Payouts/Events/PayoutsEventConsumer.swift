import Contracts
import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Events payouts receives: payments' tenancy (the replica), the payee money payments books
/// (`payee.credited` / `payee.debited`), payee balances to hold (`payee.livemode_conflict`), and provider
/// payout news from ingress. Runs in the inbox's unit of work, so each event's effect happens once.
struct PayoutsEventConsumer: EventConsumer {
    let core: PayoutsCore
    let replica: TenancyReplica
    let connectors: ConnectorDirectory

    func apply(_ event: EventEnvelope, in work: inout Work, logger: Logger) async throws -> EventOutcome {
        if let tenantID = try await replica.apply(event, on: work.connection, logger: logger) {
            let connectors = self.connectors
            work.afterCommit { connectors.invalidate(tenantID: tenantID) }
            return .applied
        }
        guard let tenantID = event.tenantID, CofferID.isValid(tenantID, prefix: .tenant) else {
            throw PermanentEventError("\(event.type) has no valid tenant_id")
        }
        try await work.scope(to: tenantID)
        switch event.type {
        case MoneyEventType.payeeCredited, MoneyEventType.payeeDebited:
            let change = try decode(PayeeBalanceChange.self, event)
            guard change.tenantID.rawValue == tenantID, change.money.minorUnits > 0, let livemode = change.livemode
            else {
                throw PermanentEventError("\(event.type) is malformed (a balance change names the mode of its money)")
            }
            // Only a payee of this tenant, and of the money's mode, can be owed it: anything else is refused
            // for good (dead-lettered where an operator sees it), never booked as a balance nobody can pay
            // out — and test money never reaches a live payee's balance.
            guard
                let payeeMode = try await core.payees.livemode(
                    of: change.payeeID.rawValue, tenantID: tenantID, on: work.connection)
            else {
                throw PermanentEventError("\(event.type) names no payee of this tenant")
            }
            guard payeeMode == livemode else {
                throw PermanentEventError("\(event.type) moves money of the other mode than its payee's")
            }
            let amount = event.type == MoneyEventType.payeeCredited ? change.money.minorUnits : -change.money.minorUnits
            let applied = try await core.balances.change(
                tenantID: tenantID, payeeID: change.payeeID.rawValue, livemode: livemode,
                currency: change.money.currency.code, amount: amount, reason: change.reason,
                sourceID: change.sourceID, on: work.connection)
            if !applied {
                logger.info(
                    "balance change already applied",
                    ["payee_id": .string(change.payeeID.rawValue), "source_id": .string(change.sourceID)])
            }
            return .applied
        case MoneyEventType.payeeLivemodeConflict:
            let conflict = try decode(PayeeLivemodeConflict.self, event)
            guard conflict.tenantID.rawValue == tenantID else {
                throw PermanentEventError("\(event.type) is malformed")
            }
            if try await BalanceHolds(core: core).hold(conflict, in: &work) {
                logger.error(
                    "a payee's balance is held: money of the other mode was credited to it",
                    ["payee_id": .string(conflict.payeeID.rawValue), "conflict_id": .string(conflict.conflictID)])
            }
            return .applied
        case ProviderEventType.payoutProcessed.rawValue, ProviderEventType.payoutFailed.rawValue,
            ProviderEventType.payoutReversed.rawValue:
            return try await applyProvider(event, tenantID: tenantID, logger: logger, in: &work)
        default:
            return .ignored
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ event: EventEnvelope) throws -> T {
        do { return try event.decodeData(T.self) } catch {
            throw PermanentEventError("\(event.type) data is malformed")
        }
    }

    private func applyProvider(_ event: EventEnvelope, tenantID: String, logger: Logger, in work: inout Work)
        async throws -> EventOutcome
    {
        let data = try decode(ProviderEventData.self, event)
        guard !data.needsConfirmation else {
            // An unsigned callback is only a hint: the payout's lease is cut short so the recovery loop asks the provider now.
            try await core.payouts.cutLease(
                tenantID: tenantID, cofferID: data.cofferID, connectorID: data.connectorID,
                providerPayoutID: data.providerObjectID, on: work.connection)
            return .applied
        }
        guard var payout = try await find(data, tenantID: tenantID, on: work.connection) else {
            logger.warning(
                "provider payout news matches no payout",
                [
                    "provider": .string(data.provider),
                    "provider_object_id": .string(data.providerObjectID),
                ])
            return .ignored
        }
        if payout.connectorID == nil { payout.connectorID = data.connectorID }
        let observed: ProviderPayoutState.Status =
            switch event.type {
            case ProviderEventType.payoutProcessed.rawValue: .processed
            case ProviderEventType.payoutReversed.rawValue: .reversed
            default: .failed(code: data.failureReason ?? data.status, message: nil)
            }
        if let amount = data.amount, amount != payout.amount {
            logger.error(
                "provider reports another amount for a payout; the reconciliation report will show it",
                ["payout_id": .string(payout.id), "reported": .int(amount), "expected": .int(payout.amount)])
        }
        let transition = PayoutTransition.decide(current: payout.status, observed: observed)
        _ = try await PayoutSettlement(core: core).apply(
            transition, to: payout, providerPayoutID: data.providerObjectID, in: &work)
        return .applied
    }

    private func find(_ data: ProviderEventData, tenantID: String, on connection: PostgresConnection) async throws
        -> Payout?
    {
        if let cofferID = data.cofferID, CofferID.isValid(cofferID, prefix: .payout),
            let payout = try await core.payouts.load(cofferID, tenantID: tenantID, forUpdate: true, on: connection)
        {
            // Only the connector that sent it may speak for it (one that has not been recorded yet may).
            return payout.connectorID == nil || payout.connectorID == data.connectorID ? payout : nil
        }
        return try await core.payouts.findByProvider(
            tenantID: tenantID, connectorID: data.connectorID, providerPayoutID: data.providerObjectID,
            on: connection)
    }
}
