import Foundation
import Platform
import ProviderKit
import Shared

/// Payouts left `processing` past their lease — a worker died mid-call, an answer never came, or the
/// provider is still working on it — are resolved by asking the provider, never by paying again: a
/// payout the provider knows takes the provider's state; one it has never seen goes back to the queue
/// (sent again under the same idempotency key, so even a provider that did see it pays once).
struct PayoutRecovery: Sendable {
    let core: PayoutsCore
    let channels: PayoutChannels

    func round() async throws -> Bool {
        let expired = try await core.database.platformTransaction { connection in
            try await core.payouts.claimExpired(
                batch: core.configuration.claimBatch, lease: core.configuration.lease, on: connection)
        }
        // Lookups run side by side, as sends do: a deep pending queue must not be checked one at a time.
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                guard next < expired.count else { return }
                let (payout, pinned) = expired[next]
                next += 1
                group.addTask {
                    do {
                        try await resolve(payout, kind: pinned.kind)
                    } catch {
                        core.logger.warning(
                            "could not resolve a payout yet",
                            [
                                "payout_id": .string(payout.id),
                                "error": .string(String(describing: error)),
                            ])
                    }
                }
            }
            for _ in 0..<core.configuration.callsPerWorker { start() }
            for await _ in group { start() }
        }
        return !expired.isEmpty
    }

    func resolve(_ payout: Payout, kind: PayoutDestination.Kind) async throws {
        let connector: ProviderConnector?
        if let id = payout.connectorID {
            connector = try await channels.connector(id: id, tenantID: payout.tenantID, livemode: payout.livemode)
        } else {
            connector = try await channels.connector(for: kind, tenantID: payout.tenantID, livemode: payout.livemode)
        }
        guard let connector, let adapter = channels.adapter(connector.provider) else {
            // Nothing could have been sent without a connector: back to the queue.
            return try await requeue(payout, reason: "no connector to look it up with")
        }
        let state: ProviderPayoutState?
        do {
            state = try await adapter.fetch(
                providerPayoutID: payout.providerPayoutID, reference: payout.id, connector: connector)
        } catch {
            core.logger.notice(
                "payout lookup failed; will try again",
                ["payout_id": .string(payout.id), "error": .string(error.description)])
            return
        }
        guard let state else { return try await requeue(payout, reason: "the provider has no such payout") }
        core.logger.info(
            "payout looked up", ["payout_id": .string(payout.id), "provider_status": .string(state.rawStatus)])
        let request = WorkRequest(tenantID: payout.tenantID, actor: "system:payout-recovery", correlationID: nil)
        _ = try await core.work.run(request) { work in
            guard
                var locked = try await core.payouts.load(
                    payout.id, tenantID: payout.tenantID, forUpdate: true, on: work.connection),
                locked.status == .processing
            else { return }
            locked.provider = connector.provider.rawValue
            locked.connectorID = connector.connectorID
            let transition = PayoutTransition.decide(current: .processing, observed: state.status)
            let recheck = Date().adding(core.configuration.pendingRecheck)
            let applied = try await PayoutSettlement(core: core).apply(
                transition, to: locked, providerPayoutID: state.providerPayoutID,
                leaseUntil: recheck, in: &work)
            if !applied.changed { work.write(core.payouts.saveQuery(applied.payout, leaseUntil: recheck)) }
        }
    }

    /// Back to the queue: the next send carries the same idempotency key.
    private func requeue(_ payout: Payout, reason: String) async throws {
        core.logger.notice(
            "payout sent again after its lease ended", ["payout_id": .string(payout.id), "reason": .string(reason)])
        // The lifecycle decides where a retried payout goes (the store's update only applies while it is
        // still processing, so a payout settled meanwhile is left alone).
        guard case .success(let (next, _)) = PayoutLifecycle.next(.processing, payout.gates, on: .retry, now: Date())
        else { return }
        let request = WorkRequest(tenantID: payout.tenantID, actor: "system:payout-recovery", correlationID: nil)
        _ = try await core.work.run(request) { work in
            try await core.payouts.requeue(payout.id, tenantID: payout.tenantID, to: next, on: work.connection)
            work.ring(core.queueBell)
        }
    }
}
