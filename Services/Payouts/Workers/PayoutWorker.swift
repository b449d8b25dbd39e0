import Contracts
import Foundation
import HTTP
import Platform
import ProviderKit
import Shared

/// Sends queued payouts. Claims due rows in batches with `FOR UPDATE SKIP LOCKED` (any number of
/// workers and replicas share the queue), marks them `processing` under a lease, calls the providers
/// outside any transaction — each call carries the payout's id as its idempotency key, so a retry
/// after a crash never pays twice — and applies the answers in one unit of work per batch.
/// Transient failures go back to the queue with exponential backoff and jitter; permanent ones fail
/// at once with the provider's reason; an answer that never came (a timeout) is looked up, never
/// sent blind. A payout left `processing` by a worker that died is found when its lease ends and
/// resolved by asking the provider (`PayoutRecovery`).
struct PayoutWorker: Sendable {
    let core: PayoutsCore
    let channels: PayoutChannels
    let metrics: PayoutMetrics
    var recovery: PayoutRecovery { PayoutRecovery(core: core, channels: channels) }

    /// The worker as a loop: recovery, then sends, again at once while there is work.
    func loop(index: Int) -> PollingLoop {
        PollingLoop(name: "payout-worker-\(index)", bell: core.queueBell, idle: .seconds(1), logger: core.logger) {
            let recovered = try await recovery.round()
            let sent = try await sendRound()
            return recovered || sent ? .busy : .idle
        }
    }

    struct Claimed: Sendable {
        let payout: Payout
        let destination: PinnedDestination
    }

    enum Outcome: Sendable {
        case answered(ProviderPayoutState, ProviderConnector)
        case refused(ProviderError, ProviderConnector?)
    }

    func sendRound() async throws -> Bool {
        let claimed = try await core.database.platformTransaction { connection in
            try await core.payouts.claimDue(
                batch: core.configuration.claimBatch, lease: core.configuration.lease, on: connection)
        }.map { Claimed(payout: $0.0, destination: $0.1) }
        guard !claimed.isEmpty else { return false }
        let limit = core.configuration.callsPerWorker
        let outcomes = await withTaskGroup(of: (Int, Outcome).self) { group -> [Outcome?] in
            var results = [Outcome?](repeating: nil, count: claimed.count)
            var next = 0
            func start(_ index: Int) {
                group.addTask { (index, await self.send(claimed[index])) }
            }
            while next < min(limit, claimed.count) { start(next); next += 1 }
            for await (index, outcome) in group {
                results[index] = outcome
                if next < claimed.count { start(next); next += 1 }
            }
            return results
        }
        try await apply(zip(claimed, outcomes).compactMap { item in item.1.map { (item.0, $0) } })
        return true
    }

    /// One provider call (never inside a transaction), to the destination the payout pinned.
    func send(_ item: Claimed) async -> Outcome {
        let payout = item.payout
        let started = ContinuousClock.now
        do {
            let destination = try core.vault.open(item.destination.sealed, payeeID: payout.payeeID)
            let connector: ProviderConnector?
            if let id = payout.connectorID {
                connector = try await channels.connector(id: id, tenantID: payout.tenantID, livemode: payout.livemode)
            } else {
                connector = try await channels.connector(
                    for: item.destination.kind, tenantID: payout.tenantID, livemode: payout.livemode)
            }
            guard let connector, let adapter = channels.adapter(connector.provider) else {
                return .refused(
                    ProviderError(
                        kind: .unavailable, code: "no_connector",
                        message:
                            "No active connector pays \(item.destination.kind.rawValue) destinations for this tenant."),
                    nil)
            }
            let request = ProviderPayoutRequest(
                payoutID: payout.id, amount: payout.money, destination: destination,
                purpose: payout.isTest ? "test" : payout.purpose, narration: payout.narration,
                idempotencyKey: payout.id)
            do {
                let state = try await adapter.send(request, connector: connector)
                metrics.calls.labels([connector.provider.rawValue, "ok"]).increment()
                metrics.latency.labels([connector.provider.rawValue]).observe(ContinuousClock.now - started)
                return .answered(state, connector)
            } catch {
                metrics.calls.labels([connector.provider.rawValue, error.kind.rawValue]).increment()
                return .refused(error, connector)
            }
        } catch {
            core.logger.error(
                "a payout cannot be sent",
                ["payout_id": .string(payout.id), "error": .string(String(describing: error))])
            return .refused(
                ProviderError(kind: .unavailable, code: "internal", message: "The payout could not be prepared."), nil)
        }
    }

    /// Applies a batch's answers in one unit of work: each payout still ours (processing, same attempt)
    /// gets its writes, all in one round trip.
    func apply(_ results: [(Claimed, Outcome)]) async throws {
        let settlement = PayoutSettlement(core: core)
        let configuration = core.configuration
        let finished = try await core.work.runAcrossTenants(actor: "system:payout-worker") { work -> [PayoutStatus] in
            let owned = try await core.payouts.lockAttempts(results.map(\.0.payout.id), on: work.connection)
            var finished: [PayoutStatus] = []
            for (item, outcome) in results {
                var payout = item.payout
                // A webhook or another worker (after our lease ended) got there first: theirs stands.
                guard let current = owned[payout.id], current.status == .processing, current.attempts == payout.attempts
                else { continue }
                switch outcome {
                case .answered(let state, let connector):
                    payout.provider = connector.provider.rawValue
                    payout.connectorID = connector.connectorID
                    let transition = PayoutTransition.decide(current: .processing, observed: state.status)
                    let recheck = Date().adding(configuration.pendingRecheck)
                    let applied = try await settlement.apply(
                        transition, to: payout, providerPayoutID: state.providerPayoutID, leaseUntil: recheck,
                        in: &work)
                    if !applied.changed { work.write(core.payouts.saveQuery(applied.payout, leaseUntil: recheck)) }
                    finished.append(applied.payout.status)
                case .refused(let error, let connector):
                    if let connector {
                        payout.provider = connector.provider.rawValue
                        payout.connectorID = connector.connectorID
                    }
                    finished.append(try await refusal(error, payout: payout, settlement: settlement, in: &work))
                }
            }
            return finished
        }
        for status in finished { metrics.outcomes.labels([status.rawValue]).increment() }
    }

    /// A call that did not succeed: retried later, looked up, or failed for good.
    private func refusal(_ error: ProviderError, payout: Payout, settlement: PayoutSettlement, in work: inout Work)
        async throws -> PayoutStatus
    {
        var payout = payout
        let configuration = core.configuration
        if error.mayHaveTakenEffect {
            // No answer: it may have been paid. Look it up shortly instead of sending again.
            core.logger.warning(
                "payout outcome unknown; looking it up",
                ["payout_id": .string(payout.id), "error": .string(error.description)])
            payout.failureMessage = error.message
            work.write(
                core.payouts.saveQuery(payout, leaseUntil: Date().adding(min(.seconds(30), configuration.lease))))
            return .processing
        }
        if error.isRetryable, payout.attempts < configuration.maxAttempts,
            case .success(let (next, _)) = PayoutLifecycle.next(payout.status, payout.gates, on: .retry, now: Date())
        {
            payout.status = next
            payout.failureCode = error.code ?? error.kind.rawValue
            payout.failureMessage = error.message
            let delay = RetryPolicy.spreadDelay(
                base: configuration.retryBase, attempt: payout.attempts, cap: configuration.retryMax)
            core.logger.notice(
                "payout will be retried",
                [
                    "payout_id": .string(payout.id), "attempt": .int(Int64(payout.attempts)),
                    "retry_in_ms": .int(Int64(MonotonicClock.nanoseconds(delay) / 1_000_000)),
                    "error": .string(error.description),
                ])
            work.write(core.payouts.saveQuery(payout, nextAttemptAt: Date().adding(delay)))
            return .queued
        }
        // A transient failure that ran out of attempts is `provider_unavailable` — unless Coffer itself
        // had no connector to pay this destination with, which is kept as the reason.
        let code =
            error.code == "no_connector"
            ? "no_connector"
            : error.isRetryable ? "provider_unavailable" : (error.code ?? error.kind.rawValue)
        core.logger.warning(
            "payout failed",
            ["payout_id": .string(payout.id), "code": .string(code), "error": .string(error.description)])
        return try await settlement.apply(
            .fail(code: code, message: error.message), to: payout, providerPayoutID: nil, in: &work
        ).payout.status
    }
}

/// `coffer_payout_*` metrics.
struct PayoutMetrics: Sendable {
    let calls: MetricFamily<Counter>
    let latency: MetricFamily<Histogram>
    let outcomes: MetricFamily<Counter>

    init(registry: MetricsRegistry) {
        calls = registry.counter(
            "coffer_payout_provider_calls_total", help: "Payout sends by provider and outcome.",
            labels: ["provider", "outcome"])
        latency = registry.histogram(
            "coffer_payout_provider_call_duration_seconds", help: "Payout send latency.", labels: ["provider"])
        outcomes = registry.counter(
            "coffer_payout_attempts_total", help: "Payout attempts by the status they left the payout in.",
            labels: ["status"])
    }
}
