import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Events payouts receives: payments' tenancy (the replica), the payee money payments books
/// (`payee.credited` / `payee.debited`), and provider payout news from ingress. Runs in the inbox
/// transaction, so each event's effect happens once.
struct PayoutsEventConsumer: EventConsumer {
    let replica: TenancyReplica
    let connectors: PayoutConnectors
    let outbox: Outbox

    func apply(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws -> EventOutcome {
        if let tenantID = try await replica.apply(event, on: connection, logger: logger) {
            connectors.invalidate(tenantID: tenantID)
            return .applied
        }
        guard let tenantID = event.tenantID, CofferID.isValid(tenantID, prefix: .tenant) else {
            throw PermanentEventError("\(event.type) has no valid tenant_id")
        }
        try await connection.execute("SELECT set_config('app.tenant_id', \(tenantID), true)")
        switch event.type {
        case MoneyEventType.payeeCredited, MoneyEventType.payeeDebited:
            let change: PayeeBalanceChange
            do { change = try event.decodeData(PayeeBalanceChange.self) } catch {
                throw PermanentEventError("\(event.type) data is malformed")
            }
            guard change.tenantID == tenantID, change.amount > 0, Currency(code: change.currency) != nil, let livemode = change.livemode else {
                throw PermanentEventError("\(event.type) is malformed (a balance change names the mode of its money)")
            }
            // Only a payee of this tenant, and of the money's mode, can be owed it: anything else is refused
            // for good (dead-lettered where an operator sees it), never booked as a balance nobody can pay
            // out — and test money never reaches a live payee's balance.
            guard let payeeMode = try await connection.query("""
                SELECT livemode FROM payouts.payees WHERE id = \(change.payeeID) AND tenant_id = \(tenantID)
                """).first?.decode(Bool.self, at: 0)
            else { throw PermanentEventError("\(event.type) names no payee of this tenant") }
            guard payeeMode == livemode else { throw PermanentEventError("\(event.type) moves money of the other mode than its payee's") }
            let amount = event.type == MoneyEventType.payeeCredited ? change.amount : -change.amount
            let applied = try await BalanceBook().change(tenantID: tenantID, payeeID: change.payeeID, livemode: livemode,
                                                         currency: change.currency, amount: amount,
                                                         reason: change.reason, sourceID: change.sourceID, on: connection)
            if !applied { logger.info("balance change already applied", ["payee_id": .string(change.payeeID), "source_id": .string(change.sourceID)]) }
            return .applied
        case MoneyEventType.payeeLivemodeConflict:
            let conflict: PayeeLivemodeConflict
            do { conflict = try event.decodeData(PayeeLivemodeConflict.self) } catch {
                throw PermanentEventError("\(event.type) data is malformed")
            }
            guard conflict.tenantID == tenantID, Currency(code: conflict.currency) != nil else { throw PermanentEventError("\(event.type) is malformed") }
            if try await BalanceHoldStore().hold(conflict, outbox: outbox, correlationID: event.correlationID, on: connection) {
                logger.error("a payee's balance is held: money of the other mode was credited to it",
                             ["payee_id": .string(conflict.payeeID), "conflict_id": .string(conflict.conflictID)])
            }
            return .applied
        case ProviderEventType.payoutProcessed.rawValue, ProviderEventType.payoutFailed.rawValue, ProviderEventType.payoutReversed.rawValue:
            return try await applyProvider(event, tenantID: tenantID, logger: logger, on: connection)
        default:
            return .ignored
        }
    }

    private func applyProvider(_ event: EventEnvelope, tenantID: String, logger: Logger, on connection: PostgresConnection) async throws -> EventOutcome {
        let data: ProviderEventData
        do { data = try event.decodeData(ProviderEventData.self) } catch { throw PermanentEventError("\(event.type) data is malformed") }
        guard !data.needsConfirmation else {
            // An unsigned callback is only a hint: the payout's lease is cut short so the recovery
            // loop asks the provider now.
            try await connection.execute("""
                UPDATE payouts.payouts SET lease_until = now() WHERE tenant_id = \(tenantID) AND status = 'processing'
                  AND (id = \(data.cofferID ?? "") OR (connector_id = \(data.connectorID) AND provider_payout_id = \(data.providerObjectID)))
                """)
            return .applied
        }
        guard var payout = try await find(data, tenantID: tenantID, on: connection) else {
            logger.warning("provider payout news matches no payout", ["provider": .string(data.provider),
                                                                      "provider_object_id": .string(data.providerObjectID)])
            return .ignored
        }
        if payout.connectorID == nil { payout.connectorID = data.connectorID }
        let observed: ProviderPayoutState.Status = switch event.type {
        case ProviderEventType.payoutProcessed.rawValue: .processed
        case ProviderEventType.payoutReversed.rawValue: .reversed
        default: .failed(code: data.failureReason ?? data.status, message: nil)
        }
        if let amount = data.amount, amount != payout.amount {
            logger.error("provider reports another amount for a payout; the reconciliation report will show it",
                         ["payout_id": .string(payout.id), "reported": .int(amount), "expected": .int(payout.amount)])
        }
        let transition = PayoutTransition.decide(current: payout.status, observed: observed)
        let applied = PayoutSettlement(outbox: outbox).apply(transition, to: payout, providerPayoutID: data.providerObjectID,
                                                             correlationID: event.correlationID, logger: logger)
        if !applied.writes.isEmpty { _ = try await connection.pipeline(applied.writes) }
        return .applied
    }

    private func find(_ data: ProviderEventData, tenantID: String, on connection: PostgresConnection) async throws -> PayoutRecord? {
        if let cofferID = data.cofferID, CofferID.isValid(cofferID, prefix: .payout),
           let payout = try await PayoutRecord.load(cofferID, tenantID: tenantID, forUpdate: true, on: connection) {
            // Only the connector that sent it may speak for it (one that has not been recorded yet may).
            return payout.connectorID == nil || payout.connectorID == data.connectorID ? payout : nil
        }
        let query: PostgresQuery = """
            SELECT \(unsafeSQL: PayoutRecord.columns) FROM payouts.payouts o
            WHERE o.tenant_id = \(tenantID) AND o.connector_id = \(data.connectorID) AND o.provider_payout_id = \(data.providerObjectID)
            FOR UPDATE
            """
        return try await connection.query(query).first.map(PayoutRecord.init(row:))
    }
}
