import Foundation
import HTTP
import Platform
import Postgres
import ProviderKit
import Shared
import Synchronization

/// Sends queued payouts. Claims due rows in batches with `FOR UPDATE SKIP LOCKED` (any number of
/// workers and replicas share the queue), marks them `processing` under a lease, calls the providers
/// outside any transaction — each call carries the payout's id as its idempotency key, so a retry
/// after a crash never pays twice — and applies the answers in one transaction per batch.
/// Transient failures go back to the queue with exponential backoff and jitter; permanent ones fail
/// at once with the provider's reason; an answer that never came (a timeout) is looked up, never
/// sent blind. A payout left `processing` by a worker that died is found when its lease ends and
/// resolved by asking the provider (`PayoutRecovery`).
final class PayoutWorker: Service {
    let name: String
    private let core: PayoutsCore
    private let connectors: PayoutConnectors
    private let recovery: PayoutRecovery
    private let stopping = Atomic<Bool>(false)
    private let metrics: PayoutMetrics

    init(index: Int, core: PayoutsCore, connectors: PayoutConnectors, metrics: PayoutMetrics) {
        name = "payout-worker-\(index)"
        self.core = core
        self.connectors = connectors
        self.metrics = metrics
        recovery = PayoutRecovery(core: core, connectors: connectors)
    }

    func run() async throws {
        while !stopping.load(ordering: .relaxed) {
            var worked = false
            do {
                worked = try await recovery.round()
                worked = try await sendRound() || worked
            } catch {
                core.logger.warning("payout worker round failed", ["worker": .string(name), "error": .string(String(describing: error))])
                try? await Task.sleep(for: .milliseconds(500))
            }
            if !worked { await core.queueBell.wait(timeout: .seconds(1)) }
        }
    }

    func shutdown() async {
        stopping.store(true, ordering: .relaxed)
        core.queueBell.ring()
    }

    struct Claimed: Sendable {
        let payout: PayoutRecord
        let destinationKind: PayoutDestination.Kind
        let destinationSealed: String
    }

    /// Claims due payouts (queued and due, or scheduled and due) for this worker.
    func claim() async throws -> [Claimed] {
        let lease = Int64(core.configuration.lease.components.seconds)
        let batch = Int64(core.configuration.claimBatch)
        // Two locked picks (FOR UPDATE is not allowed inside a UNION, but is in CTEs), each on its own index.
        let query: PostgresQuery = """
            WITH due AS (
                SELECT id FROM payouts.payouts WHERE status = 'queued' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT \(batch) FOR UPDATE SKIP LOCKED),
            scheduled AS (
                SELECT id FROM payouts.payouts WHERE status = 'scheduled' AND scheduled_for <= now()
                ORDER BY scheduled_for LIMIT \(batch) FOR UPDATE SKIP LOCKED)
            UPDATE payouts.payouts o SET status = 'processing', lease_until = now() + make_interval(secs => \(lease)),
                attempts = o.attempts + 1, queued_at = coalesce(o.queued_at, now()), updated_at = now()
            FROM payouts.payees e
            WHERE o.id IN (SELECT id FROM due UNION ALL SELECT id FROM scheduled)
              AND e.id = o.payee_id AND e.tenant_id = o.tenant_id AND e.status = 'active'
            RETURNING \(unsafeSQL: PayoutRecord.columns), o.destination_kind, o.destination_sealed
            """
        return try await core.database.platformTransaction { connection in
            try await connection.query(query.prepared()).map { row -> Claimed in
                // The destination the payout pinned when it was created (and approved), never the payee's current one.
                let (kind, sealed) = try row.decode((String, String).self, startingAt: PayoutRecord.columnCount)
                return Claimed(payout: try PayoutRecord(row: row), destinationKind: PayoutDestination.Kind(rawValue: kind) ?? .bankAccount,
                               destinationSealed: sealed)
            }
        }
    }

    enum Outcome: Sendable {
        case answered(ProviderPayoutState, ProviderConnector)
        case refused(ProviderError, ProviderConnector?)
    }

    func sendRound() async throws -> Bool {
        let claimed = try await claim()
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

    /// One provider call (never inside a transaction).
    func send(_ item: Claimed) async -> Outcome {
        let payout = item.payout
        let started = ContinuousClock.now
        do {
            let destination = try core.vault.open(item.destinationSealed, payeeID: payout.payeeID)
            let connector: ProviderConnector?
            if let id = payout.connectorID {
                connector = try await connectors.connector(id: id, tenantID: payout.tenantID, livemode: payout.livemode)
            } else {
                connector = try await connectors.connector(for: item.destinationKind, tenantID: payout.tenantID, livemode: payout.livemode)
            }
            guard let connector, let adapter = connectors.adapter(connector.provider) else {
                return .refused(ProviderError(kind: .unavailable, code: "no_connector",
                                              message: "No active connector pays \(item.destinationKind.rawValue) destinations for this tenant."), nil)
            }
            let request = ProviderPayoutRequest(payoutID: payout.id, amount: payout.money, destination: destination,
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
            core.logger.error("a payout cannot be sent", ["payout_id": .string(payout.id), "error": .string(String(describing: error))])
            return .refused(ProviderError(kind: .unavailable, code: "internal", message: "The payout could not be prepared."), nil)
        }
    }

    /// Applies a batch's answers in one transaction: each payout still ours (processing, same attempt)
    /// gets its writes, all pipelined.
    func apply(_ results: [(Claimed, Outcome)]) async throws {
        let settlement = PayoutSettlement(outbox: core.outbox)
        let configuration = core.configuration
        let logger = core.logger
        var finished: [(String, PayoutStatus)] = []
        try await core.database.platformTransaction { connection in
            finished = []
            let ids = results.map(\.0.payout.id)
            let current = try await connection.query("""
                SELECT id, status, attempts FROM payouts.payouts WHERE id = ANY(\(array: ids)::text[]) FOR UPDATE
                """)
            var owned: [String: Int] = [:]
            for row in current {
                let (id, status, attempts) = try row.decode((String, String, Int32).self)
                if status == PayoutStatus.processing.rawValue { owned[id] = Int(attempts) }
            }
            var writes: [PostgresQuery] = []
            for (item, outcome) in results {
                var payout = item.payout
                // A webhook or another worker (after our lease ended) got there first: theirs stands.
                guard owned[payout.id] == payout.attempts else { continue }
                switch outcome {
                case .answered(let state, let connector):
                    payout.provider = connector.provider.rawValue
                    payout.connectorID = connector.connectorID
                    let transition = PayoutTransition.decide(current: .processing, observed: state.status)
                    var applied = settlement.apply(transition, to: payout, providerPayoutID: state.providerPayoutID, correlationID: nil,
                                                   logger: logger, leaseUntil: Date().adding(configuration.pendingRecheck))
                    if !applied.changed {
                        applied.writes = [applied.payout.saveQuery(leaseUntil: Date().adding(configuration.pendingRecheck))]
                    }
                    writes += applied.writes
                    finished.append((payout.id, applied.payout.status))
                case .refused(let error, let connector):
                    if let connector {
                        payout.provider = connector.provider.rawValue
                        payout.connectorID = connector.connectorID
                    }
                    let (queries, status) = refusal(error, payout: payout, settlement: settlement)
                    writes += queries
                    finished.append((payout.id, status))
                }
            }
            if !writes.isEmpty { _ = try await connection.pipeline(writes) }
        }
        for (_, status) in finished { metrics.outcomes.labels([status.rawValue]).increment() }
        core.outbox.nudge()
    }

    /// A call that did not succeed: retried later, looked up, or failed for good.
    private func refusal(_ error: ProviderError, payout: PayoutRecord, settlement: PayoutSettlement) -> ([PostgresQuery], PayoutStatus) {
        var payout = payout
        let configuration = core.configuration
        if error.mayHaveTakenEffect {
            // No answer: it may have been paid. Look it up shortly instead of sending again.
            core.logger.warning("payout outcome unknown; looking it up", ["payout_id": .string(payout.id), "error": .string(error.description)])
            payout.failureMessage = error.message
            return ([payout.saveQuery(leaseUntil: Date().adding(min(.seconds(30), configuration.lease)))], .processing)
        }
        if error.isRetryable, payout.attempts < configuration.maxAttempts {
            payout.status = .queued
            payout.failureCode = error.code ?? error.kind.rawValue
            payout.failureMessage = error.message
            let delay = RetryPolicy.spreadDelay(base: configuration.retryBase, attempt: payout.attempts, cap: configuration.retryMax)
            core.logger.notice("payout will be retried", ["payout_id": .string(payout.id), "attempt": .int(Int64(payout.attempts)),
                                                          "retry_in_ms": .int(Int64(MonotonicClock.nanoseconds(delay) / 1_000_000)), "error": .string(error.description)])
            return ([payout.saveQuery(nextAttemptAt: Date().adding(delay))], .queued)
        }
        let code = error.isRetryable ? "provider_unavailable" : (error.code ?? error.kind.rawValue)
        core.logger.warning("payout failed", ["payout_id": .string(payout.id), "code": .string(code), "error": .string(error.description)])
        let applied = settlement.apply(.fail(code: code, message: error.message), to: payout, providerPayoutID: nil, correlationID: nil,
                                       logger: core.logger)
        return (applied.writes, .failed)
    }
}

/// `coffer_payout_*` metrics.
struct PayoutMetrics: Sendable {
    let calls: MetricFamily<Counter>
    let latency: MetricFamily<Histogram>
    let outcomes: MetricFamily<Counter>

    init(registry: MetricsRegistry) {
        calls = registry.counter("coffer_payout_provider_calls_total", help: "Payout sends by provider and outcome.", labels: ["provider", "outcome"])
        latency = registry.histogram("coffer_payout_provider_call_duration_seconds", help: "Payout send latency.", labels: ["provider"])
        outcomes = registry.counter("coffer_payout_attempts_total", help: "Payout attempts by the status they left the payout in.",
                                    labels: ["status"])
    }
}
