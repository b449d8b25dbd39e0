import Foundation
import Platform
import Postgres
import Shared

/// The writes that apply provider news to a locked payout: its row, the balance, the events (to
/// payments' ledger and to notifications), and — for a destination check — the payee's verification
/// and the payouts it held. Returned as statements so a caller can pipeline many payouts' writes.
struct PayoutSettlement: Sendable {
    let outbox: Outbox

    struct Applied: Sendable {
        var payout: PayoutRecord
        var writes: [PostgresQuery]
        var events: PendingEvents
        var changed: Bool
    }

    func apply(_ transition: PayoutTransition, to payout: PayoutRecord, providerPayoutID: String?, correlationID: String?,
               logger: Logger, leaseUntil: Date? = nil) -> Applied {
        var payout = payout
        var events = PendingEvents(source: "payouts", tenantID: payout.tenantID, correlationID: correlationID)
        var writes: [PostgresQuery] = []
        if payout.providerPayoutID == nil, let providerPayoutID { payout.providerPayoutID = providerPayoutID }
        switch transition {
        case .settle, .settleLate:
            if transition == .settleLate {
                logger.warning("the provider paid a payout Coffer had failed; booking it", ["payout_id": .string(payout.id)])
            }
            payout.status = .processed
            payout.processedAt = Date()
            payout.failureCode = nil
            payout.failureMessage = nil
            if !payout.isTest {
                writes += transition == .settleLate ? BalanceBook.lateSettleQueries(payout) : BalanceBook.settleQueries(payout)
            } else {
                writes += destinationCheckQueries(payout, passed: true)
            }
            events.settled(MoneyEventType.payoutProcessed, payout: payout)
        case .fail(let code, let message):
            payout.status = .failed
            payout.failureCode = code ?? "payout_failed"
            payout.failureMessage = message
            if !payout.isTest { writes.append(BalanceBook.releaseQuery(payout)) } else { writes += destinationCheckQueries(payout, passed: false) }
            events.add(PayoutEventType.failed, data: payout.json, orderingKey: "payee:" + payout.payeeID)
        case .reverse:
            payout.status = .reversed
            if !payout.isTest { writes += BalanceBook.reversalQueries(payout) }
            events.settled(MoneyEventType.payoutReversed, payout: payout)
        case .pending:
            break
        case .unchanged:
            return Applied(payout: payout, writes: [], events: events, changed: false)
        case .stale(let reason):
            logger.warning("stale provider news about a payout ignored", ["payout_id": .string(payout.id), "reason": .string(reason)])
            return Applied(payout: payout, writes: [], events: events, changed: false)
        }
        writes.insert(payout.saveQuery(leaseUntil: payout.status == .processing ? leaseUntil : nil), at: 0)
        if let (enqueue, _) = outbox.enqueueQuery(events.entries) { writes.append(enqueue) }
        return Applied(payout: payout, writes: writes, events: events, changed: true)
    }

    /// A destination check's result: the payee's destination is verified (and its held payouts go on)
    /// or marked failed (they stay held).
    private func destinationCheckQueries(_ payout: PayoutRecord, passed: Bool) -> [PostgresQuery] {
        if !passed {
            return ["""
                UPDATE payouts.payees SET destination_check = 'failed', updated_at = now()
                WHERE id = \(payout.payeeID) AND tenant_id = \(payout.tenantID) AND destination_check = 'pending'
                """]
        }
        return ["""
            UPDATE payouts.payees SET destination_check = 'passed', destination_verified_at = now(), updated_at = now()
            WHERE id = \(payout.payeeID) AND tenant_id = \(payout.tenantID) AND destination_check IN ('pending', 'failed')
            """, """
            UPDATE payouts.payouts SET hold_reasons = array_remove(hold_reasons, 'destination_unverified'),
                status = CASE WHEN cardinality(array_remove(hold_reasons, 'destination_unverified')) > 0 THEN 'held'
                              WHEN scheduled_for > now() THEN 'scheduled' ELSE 'queued' END,
                queued_at = now(), next_attempt_at = now(), updated_at = now()
            WHERE tenant_id = \(payout.tenantID) AND payee_id = \(payout.payeeID) AND status = 'held'
              AND 'destination_unverified' = ANY(hold_reasons)
            """]
    }
}
