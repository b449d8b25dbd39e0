import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Applies provider news (a `PayoutTransition`) to a locked payout inside a unit of work: its row, the
/// balance, the events (to payments' ledger and to notifications), and — for a destination check — the
/// payee's verification and the payouts that waited for it. The writes join the unit's final round
/// trip, so a worker settles a whole batch in one.
struct PayoutSettlement: Sendable {
    let core: PayoutsCore

    struct Applied: Sendable {
        var payout: Payout
        var changed: Bool
    }

    func apply(
        _ transition: PayoutTransition, to payout: Payout, providerPayoutID: String?, leaseUntil: Date? = nil,
        in work: inout Work
    ) async throws -> Applied {
        var payout = payout
        if payout.providerPayoutID == nil, let providerPayoutID { payout.providerPayoutID = providerPayoutID }
        switch transition {
        case .settle, .settleLate:
            if transition == .settleLate {
                core.logger.warning(
                    "the provider paid a payout Coffer had failed; booking it", ["payout_id": .string(payout.id)])
            }
            payout.status = .processed
            payout.processedAt = Date()
            payout.failureCode = nil
            payout.failureMessage = nil
            if payout.isTest {
                try await destinationChecked(payout, passed: true, in: &work)
            } else {
                work.write(core.balances.queries(transition == .settleLate ? .settleLate : .settle, for: payout))
            }
            try work.publish(PayoutEventType.processed, payout)
        case .fail(let code, let message):
            payout.status = .failed
            payout.failureCode = code ?? "payout_failed"
            payout.failureMessage = message
            if payout.isTest {
                try await destinationChecked(payout, passed: false, in: &work)
            } else {
                work.write(core.balances.queries(.release, for: payout))
            }
            try work.publish(PayoutEventType.failed, payout)
        case .reverse:
            payout.status = .reversed
            if !payout.isTest { work.write(core.balances.queries(.reverse, for: payout)) }
            try work.publish(PayoutEventType.reversed, payout)
        case .pending:
            break
        case .unchanged:
            return Applied(payout: payout, changed: false)
        case .stale(let reason):
            core.logger.warning(
                "stale provider news about a payout ignored",
                ["payout_id": .string(payout.id), "reason": .string(reason)])
            return Applied(payout: payout, changed: false)
        }
        work.write(core.payouts.saveQuery(payout, leaseUntil: payout.status == .processing ? leaseUntil : nil))
        return Applied(payout: payout, changed: true)
    }

    /// A destination check's result. Passed: the payee's destination is verified and every payout that
    /// waited for it goes on (those waiting for approval keep waiting, without this reason). Failed: they
    /// stay held (a later check may pass).
    private func destinationChecked(_ check: Payout, passed: Bool, in work: inout Work) async throws {
        try await core.payees.recordDestinationCheck(
            payeeID: check.payeeID, tenantID: check.tenantID, passed: passed, on: work.connection)
        guard passed else { return }
        let waiting = try await core.payouts.waiting(
            on: .destinationUnverified, payeeID: check.payeeID, tenantID: check.tenantID,
            on: work.connection)
        _ = try core.clear(HoldReason.destinationUnverified.rawValue, from: waiting, in: &work)
        if !waiting.isEmpty { work.ring(core.queueBell) }
    }
}
