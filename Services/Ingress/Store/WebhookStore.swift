import Foundation
import HTTP
import Postgres
import Shared
import Synchronization

/// Stores webhooks durably with group commit: requests queue their webhook and wait; up to
/// `maxFlushers` flushers each take everything queued (up to `maxBatch`) and write it in ONE
/// statement — the events (deduplicated on tenant, provider and provider event id, each carrying
/// its own delivery state) and the attempts log — then wake every waiter. No answer is given before its commit.
/// Concurrent requests share commits, so throughput is not bounded by one fsync per webhook.
final class WebhookStore: Sendable {
    private struct Waiting {
        let webhook: PendingWebhook
        let continuation: CheckedContinuation<StoreOutcome, any Error>
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var attempts: [AttemptRecord] = []
        var flushers = 0
    }

    private let database: PostgresPool
    private let maxFlushers: Int
    private let maxBatch: Int
    private let logger: Logger
    private let queue = Mutex(Queue())
    private let batchSizes: MetricFamily<Histogram>

    init(database: PostgresPool, maxFlushers: Int, maxBatch: Int, metrics: MetricsRegistry, logger: Logger) {
        self.database = database
        self.maxFlushers = maxFlushers
        self.maxBatch = maxBatch
        self.logger = logger
        batchSizes = metrics.histogram(
            "coffer_ingress_commit_batch_size", help: "Webhooks written per commit (group commit).",
            buckets: HistogramBuckets(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512], divisor: 1))
    }

    /// Returns once the webhook (or the earlier copy it duplicates) is committed.
    func store(_ webhook: PendingWebhook) async throws -> StoreOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let startFlusher = queue.withLock { queue -> Bool in
                queue.waiting.append(Waiting(webhook: webhook, continuation: continuation))
                guard queue.flushers < maxFlushers else { return false }
                queue.flushers += 1
                return true
            }
            if startFlusher { startFlushing() }
        }
    }

    /// Flushers run on an event loop, like the requests they answer: waking a pool thread for every
    /// batch cost more than the batch's own work.
    private func startFlushing() {
        Task(executorPreference: EventLoopGroup.shared.next()) { await self.flush() }
    }

    /// Logs a refused request. Not awaited: a reject's answer never waits on the database.
    func record(_ attempt: AttemptRecord) {
        let startFlusher = queue.withLock { queue -> Bool in
            // Under a flood of rejects the log is sampled down rather than allowed to grow without bound.
            guard queue.attempts.count < 50_000 else { return false }
            queue.attempts.append(attempt)
            guard queue.flushers < maxFlushers else { return false }
            queue.flushers += 1
            return true
        }
        if startFlusher { startFlushing() }
    }

    private func flush() async {
        while true {
            let (batch, attempts) = queue.withLock { queue -> ([Waiting], [AttemptRecord]) in
                guard !queue.waiting.isEmpty || !queue.attempts.isEmpty else {
                    queue.flushers -= 1
                    return ([], [])
                }
                let take = min(maxBatch, queue.waiting.count)
                let batch = Array(queue.waiting.prefix(take))
                queue.waiting.removeFirst(take)
                let attempts = queue.attempts
                queue.attempts.removeAll(keepingCapacity: true)
                return (batch, attempts)
            }
            if batch.isEmpty && attempts.isEmpty { return }
            batchSizes.labels([]).observe(Int64(batch.count))
            await write(batch, attempts: attempts)
        }
    }

    private func write(_ batch: [Waiting], attempts: [AttemptRecord]) async {
        do {
            let outcomes = try await insert(batch.map(\.webhook), attempts: attempts)
            for waiting in batch {
                if let outcome = outcomes[waiting.webhook.id] {
                    waiting.continuation.resume(returning: outcome)
                } else {
                    waiting.continuation.resume(throwing: StoreError.unresolved)
                }
            }
        } catch let error as PostgresError where batch.count > 1 && !error.isConnectionError {
            // A data error in one row must not fail its neighbours: write them one by one.
            logger.warning(
                "batch write failed; retrying one by one",
                [
                    "sqlstate": .string(error.sqlState ?? "?"),
                    "batch": .int(Int64(batch.count)),
                ])
            for waiting in batch { await write([waiting], attempts: []) }
            if !attempts.isEmpty { await write([], attempts: attempts) }
        } catch {
            if !batch.isEmpty {
                logger.error(
                    "webhook batch not stored", ["error": .string("\(error)"), "batch": .int(Int64(batch.count))])
            }
            for waiting in batch { waiting.continuation.resume(throwing: error) }
        }
    }

    /// One statement: events, the outbox rows of the new ones, and the attempts log.
    private func insert(_ webhooks: [PendingWebhook], attempts: [AttemptRecord]) async throws -> [String: StoreOutcome]
    {
        // The first of several copies of one event in a batch is the one written; the others are its duplicates.
        var firstByKey: [String: String] = [:]
        var unique: [PendingWebhook] = []
        var duplicateOf: [String: String] = [:]
        var attempts = attempts
        for webhook in webhooks {
            let key = webhook.tenantID + "\u{1}" + webhook.provider + "\u{1}" + webhook.dedupKey
            if let first = firstByKey[key] {
                duplicateOf[webhook.id] = first
                // Not written as an event, but still an attempt the log must show.
                attempts.append(
                    AttemptRecord(
                        tenantID: webhook.tenantID, provider: webhook.provider, outcome: "duplicate", reason: nil,
                        httpStatus: 200, sourceIP: webhook.sourceIP, bodySize: webhook.rawBody.count,
                        bodySHA256: webhook.bodySHA256, correlationID: webhook.correlationID))
            } else {
                firstByKey[key] = webhook.id
                unique.append(webhook)
            }
        }
        // Rows locked in one order by every flusher: concurrent batches cannot deadlock on the unique index.
        unique.sort { ($0.tenantID, $0.provider, $0.dedupKey) < ($1.tenantID, $1.provider, $1.dedupKey) }
        let statement: PostgresQuery = """
            WITH input AS (
                SELECT * FROM unnest(\(array: unique.map(\.id))::text[], \(array: unique.map(\.tenantID))::text[],
                    \(array: unique.map(\.provider))::text[], \(array: unique.map(\.dedupKey))::text[],
                    \(array: unique.map { $0.providerEventID ?? "" })::text[], \(array: unique.map(\.providerEventType))::text[],
                    \(array: unique.map { $0.normalizedType ?? "" })::text[], \(array: unique.map { $0.orderingKey ?? "" })::text[],
                    \(array: unique.map(\.verification))::text[], \(array: unique.map { $0.needsConfirmation ? "t" : "f" })::bool[],
                    \(array: unique.map { $0.livemode ? "t" : "f" })::bool[], \(array: unique.map { $0.connectorID ?? "" })::text[],
                    \(array: unique.map { Hex.encode($0.rawBody) })::text[], \(array: unique.map(\.bodySHA256))::text[],
                    \(array: unique.map { Int64($0.rawBody.count) })::int[], \(array: unique.map(\.headersJSON))::text[],
                    \(array: unique.map { $0.normalizedJSON ?? "" })::text[], \(array: unique.map(\.correlationID))::text[],
                    \(array: unique.map(\.sourceIP))::text[], \(array: unique.map { $0.subscriber ?? "" })::text[])
                    AS t(id, tenant_id, provider, dedup_key, provider_event_id, provider_event_type, normalized_type, ordering_key,
                         verification, needs_confirmation, livemode, connector_id, raw_body_hex, body_sha256, body_size, headers,
                         normalized, correlation_id, source_ip, subscriber)
            ),
            inserted AS (
                INSERT INTO ingress.webhook_events (id, tenant_id, provider, dedup_key, provider_event_id, provider_event_type,
                    normalized_type, ordering_key, verification, needs_confirmation, livemode, connector_id, raw_body, body_sha256,
                    body_size, headers, normalized, correlation_id, source_ip, delivery_subscriber, delivery_status, next_delivery_at)
                SELECT id, tenant_id, provider, dedup_key, NULLIF(provider_event_id, ''), provider_event_type,
                    NULLIF(normalized_type, ''), NULLIF(ordering_key, ''), verification, needs_confirmation, livemode,
                    NULLIF(connector_id, ''), decode(raw_body_hex, 'hex'), body_sha256, body_size, headers::jsonb,
                    NULLIF(normalized, '')::jsonb, correlation_id, source_ip, NULLIF(subscriber, ''),
                    CASE WHEN subscriber = '' THEN NULL ELSE 'pending' END, CASE WHEN subscriber = '' THEN NULL ELSE now() END
                FROM input
                ON CONFLICT (tenant_id, provider, dedup_key) DO NOTHING
                RETURNING id
            ),
            duplicate_attempts AS (
                INSERT INTO ingress.webhook_attempts (tenant_id, provider, outcome, http_status, source_ip, body_size, body_sha256,
                    correlation_id)
                SELECT i.tenant_id, i.provider, 'duplicate', 200, i.source_ip, i.body_size, i.body_sha256, i.correlation_id
                FROM input i WHERE i.id NOT IN (SELECT id FROM inserted)
                RETURNING 1
            ),
            other_attempts AS (
                INSERT INTO ingress.webhook_attempts (tenant_id, provider, outcome, reason, http_status, source_ip, body_size,
                    body_sha256, correlation_id)
                SELECT NULLIF(a.tenant_id, ''), NULLIF(a.provider, ''), a.outcome, NULLIF(a.reason, ''), a.http_status, a.source_ip,
                    a.body_size, NULLIF(a.body_sha256, ''), a.correlation_id
                FROM unnest(\(array: attempts.map { $0.tenantID ?? "" })::text[], \(array: attempts.map { $0.provider ?? "" })::text[],
                            \(array: attempts.map(\.outcome))::text[], \(array: attempts.map { $0.reason ?? "" })::text[],
                            \(array: attempts.map { Int64($0.httpStatus) })::int[], \(array: attempts.map(\.sourceIP))::text[],
                            \(array: attempts.map { Int64($0.bodySize) })::int[], \(array: attempts.map { $0.bodySHA256 ?? "" })::text[],
                            \(array: attempts.map(\.correlationID))::text[])
                     AS a(tenant_id, provider, outcome, reason, http_status, source_ip, body_size, body_sha256, correlation_id)
                RETURNING 1
            )
            SELECT id FROM inserted
            """
        let rows = try await database.query(statement.prepared())
        var fresh = Set<String>()
        for row in rows { fresh.insert(try row.decode(String.self, at: 0)) }
        var outcomes: [String: StoreOutcome] = [:]
        var stale: [PendingWebhook] = []
        for webhook in unique {
            if fresh.contains(webhook.id) {
                outcomes[webhook.id] = StoreOutcome(id: webhook.id, duplicate: false)
            } else {
                stale.append(webhook)
            }
        }
        if !stale.isEmpty {
            // Duplicates of events stored earlier: answer with the original's id.
            let existing = try await database.query(
                """
                SELECT e.id, e.tenant_id, e.provider, e.dedup_key FROM ingress.webhook_events e
                JOIN unnest(\(array: stale.map(\.tenantID))::text[], \(array: stale.map(\.provider))::text[],
                            \(array: stale.map(\.dedupKey))::text[]) AS k(tenant_id, provider, dedup_key)
                  ON e.tenant_id = k.tenant_id AND e.provider = k.provider AND e.dedup_key = k.dedup_key
                """)
            var byKey: [String: String] = [:]
            for row in existing {
                let (id, tenant, provider, key) = try row.decode((String, String, String, String).self)
                byKey[tenant + "\u{1}" + provider + "\u{1}" + key] = id
            }
            for webhook in stale {
                let key = webhook.tenantID + "\u{1}" + webhook.provider + "\u{1}" + webhook.dedupKey
                if let id = byKey[key] { outcomes[webhook.id] = StoreOutcome(id: id, duplicate: true) }
            }
        }
        for (duplicate, first) in duplicateOf {
            if let original = outcomes[first] { outcomes[duplicate] = StoreOutcome(id: original.id, duplicate: true) }
        }
        return outcomes
    }

    enum StoreError: Error, CustomStringConvertible {
        case unresolved
        var description: String { "the webhook's outcome could not be determined" }
    }
}
