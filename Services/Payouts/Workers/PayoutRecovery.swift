import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Payouts left `processing` past their lease — a worker died mid-call, an answer never came, or the
/// provider is still working on it — are resolved by asking the provider, never by paying again: a
/// payout the provider knows takes the provider's state; one it has never seen goes back to the queue
/// (sent again under the same idempotency key, so even a provider that did see it pays once).
struct PayoutRecovery: Sendable {
    let core: PayoutsCore
    let connectors: PayoutConnectors

    func round() async throws -> Bool {
        let lease = Int64(core.configuration.lease.components.seconds)
        let query: PostgresQuery = """
            UPDATE payouts.payouts o SET lease_until = now() + make_interval(secs => \(lease)), updated_at = now()
            FROM payouts.payees e
            WHERE o.id IN (SELECT id FROM payouts.payouts WHERE status = 'processing' AND lease_until < now()
                           ORDER BY lease_until LIMIT \(Int64(core.configuration.claimBatch)) FOR UPDATE SKIP LOCKED)
              AND e.id = o.payee_id AND e.tenant_id = o.tenant_id
            RETURNING \(unsafeSQL: PayoutRecord.columns), coalesce(o.destination_kind, e.destination_kind)
            """
        let expired = try await core.database.platformTransaction { connection in
            try await connection.query(query.prepared()).map { row -> (PayoutRecord, PayoutDestination.Kind) in
                (try PayoutRecord(row: row), PayoutDestination.Kind(rawValue: try row.decode(String.self, at: 27)) ?? .bankAccount)
            }
        }
        // Lookups run side by side, as sends do: a deep pending queue must not be checked one at a time.
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                guard next < expired.count else { return }
                let (payout, kind) = expired[next]
                next += 1
                group.addTask {
                    do {
                        try await resolve(payout, kind: kind)
                    } catch {
                        core.logger.warning("could not resolve a payout yet", ["payout_id": .string(payout.id),
                                                                               "error": .string(String(describing: error))])
                    }
                }
            }
            for _ in 0..<core.configuration.callsPerWorker { start() }
            for await _ in group { start() }
        }
        return !expired.isEmpty
    }

    func resolve(_ payout: PayoutRecord, kind: PayoutDestination.Kind) async throws {
        let connector: ProviderConnector?
        if let id = payout.connectorID {
            connector = try await connectors.connector(id: id, tenantID: payout.tenantID, livemode: payout.livemode)
        } else {
            connector = try await connectors.connector(for: kind, tenantID: payout.tenantID, livemode: payout.livemode)
        }
        guard let connector, let adapter = connectors.adapter(connector.provider) else {
            // Nothing could have been sent without a connector: back to the queue.
            return try await requeue(payout, reason: "no connector to look it up with")
        }
        let state: ProviderPayoutState?
        do {
            state = try await adapter.fetch(providerPayoutID: payout.providerPayoutID, reference: payout.id, connector: connector)
        } catch {
            core.logger.notice("payout lookup failed; will try again", ["payout_id": .string(payout.id), "error": .string(error.description)])
            return
        }
        guard let state else {
            return try await requeue(payout, reason: "the provider has no such payout")
        }
        core.logger.info("payout looked up", ["payout_id": .string(payout.id), "provider_status": .string(state.rawStatus)])
        try await core.database.tenantTransaction(payout.tenantID) { connection in
            guard var locked = try await PayoutRecord.load(payout.id, tenantID: payout.tenantID, forUpdate: true, on: connection),
                  locked.status == .processing
            else { return }
            locked.provider = connector.provider.rawValue
            locked.connectorID = connector.connectorID
            let transition = PayoutTransition.decide(current: .processing, observed: state.status)
            let recheck = Date().adding(core.configuration.pendingRecheck)
            var applied = PayoutSettlement(outbox: core.outbox).apply(transition, to: locked, providerPayoutID: state.providerPayoutID,
                                                                     correlationID: nil, logger: core.logger, leaseUntil: recheck)
            if !applied.changed { applied.writes = [applied.payout.saveQuery(leaseUntil: recheck)] }
            _ = try await connection.pipeline(applied.writes)
        }
        core.outbox.nudge()
    }

    /// Back to the queue: the next send carries the same idempotency key.
    private func requeue(_ payout: PayoutRecord, reason: String) async throws {
        core.logger.notice("payout sent again after its lease ended", ["payout_id": .string(payout.id), "reason": .string(reason)])
        try await core.database.tenantTransaction(payout.tenantID) { connection in
            try await connection.execute("""
                UPDATE payouts.payouts SET status = 'queued', lease_until = NULL, next_attempt_at = now(), updated_at = now()
                WHERE id = \(payout.id) AND tenant_id = \(payout.tenantID) AND status = 'processing'
                """)
        }
        core.queueBell.ring()
    }
}
