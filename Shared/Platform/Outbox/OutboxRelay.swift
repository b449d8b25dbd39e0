import Foundation
import HTTP
import Postgres
import Shared
import Synchronization

/// Delivers outbox rows to subscribers' `POST /internal/events`, signed, in batches, in order per
/// object, with backoff and dead-lettering. Rows are claimed with `FOR UPDATE SKIP LOCKED` under a
/// lease, so any number of replicas can relay without sending one row twice at once; a relay that
/// dies mid-delivery leaves rows that come back when the lease ends (consumers dedupe).
public final class OutboxRelay: Service {
    public let name = "outbox-relay"
    private let outbox: Outbox
    private let database: PostgresPool
    private let client: CofferHTTPClient
    private let signer: InternalRequestSigner
    private let configuration: OutboxRelayConfiguration
    private let logger: Logger
    private let doorbell: Doorbell
    private let stopping = Atomic<Bool>(false)
    private let delivered: MetricFamily<Counter>
    private let failures: MetricFamily<Counter>
    private let deadLettered: MetricFamily<Counter>
    private let backlog: MetricFamily<Gauge>

    public init(outbox: Outbox, doorbell: Doorbell, runtime: ServiceRuntime, configuration: OutboxRelayConfiguration) {
        self.outbox = outbox
        self.doorbell = doorbell
        self.database = runtime.database
        self.client = runtime.httpClient
        self.signer = runtime.signer
        self.configuration = configuration
        self.logger = runtime.logger.with(["component": "outbox-relay"])
        delivered = runtime.metrics.counter("coffer_outbox_delivered_total", help: "Events delivered, by subscriber.", labels: ["subscriber"])
        failures = runtime.metrics.counter("coffer_outbox_delivery_failures_total", help: "Failed delivery attempts, by subscriber.",
                                           labels: ["subscriber"])
        deadLettered = runtime.metrics.counter("coffer_outbox_dead_lettered_total", help: "Events dead-lettered, by subscriber.",
                                               labels: ["subscriber"])
        backlog = runtime.metrics.gauge("coffer_outbox_pending", help: "Events waiting for delivery, by subscriber.", labels: ["subscriber"])
    }

    public func run() async throws {
        var lastPurge = ContinuousClock.now
        var lastBacklog = ContinuousClock.now - .seconds(60)
        while !stopping.load(ordering: .relaxed) {
            if ContinuousClock.now - lastBacklog > .seconds(15) {
                lastBacklog = ContinuousClock.now
                await refreshBacklog()
            }
            var worked = false
            for subscriber in outbox.routes.subscribers where !configuration.paused {
                do {
                    worked = try await relayBatch(to: subscriber) || worked
                } catch {
                    logger.warning("relay round failed", ["subscriber": .string(subscriber.name), "error": .string(String(describing: error))])
                }
            }
            if ContinuousClock.now - lastPurge > .seconds(600) {
                lastPurge = ContinuousClock.now
                await purgeDelivered()
            }
            if !worked { await doorbell.wait(timeout: configuration.idlePoll) }
        }
    }

    public func shutdown() async {
        stopping.store(true, ordering: .relaxed)
        doorbell.ring()
    }

    struct ClaimedRow {
        let seq: Int64
        let eventID: String
        let payload: String
        let attempts: Int32
        let correlationID: String?
    }

    /// Claims and delivers one batch. Returns whether there was anything to do.
    func relayBatch(to subscriber: EventRoutes.Subscriber) async throws -> Bool {
        let schema = outbox.schema
        let leaseSeconds = Int64(configuration.lease.components.seconds)
        let rows = try await database.query("""
            UPDATE \(unsafeSQL: schema).outbox SET attempts = attempts + 1,
                   next_attempt_at = now() + make_interval(secs => \(leaseSeconds))
            WHERE seq IN (
                SELECT o.seq FROM \(unsafeSQL: schema).outbox o
                WHERE o.subscriber = \(subscriber.name) AND o.status = 'pending' AND o.next_attempt_at <= now()
                  AND NOT EXISTS (
                      SELECT 1 FROM \(unsafeSQL: schema).outbox p
                      WHERE p.subscriber = o.subscriber AND p.ordering_key = o.ordering_key
                        AND p.status IN ('pending', 'dead') AND p.seq < o.seq)
                ORDER BY o.seq
                LIMIT \(configuration.batchSize)
                FOR UPDATE SKIP LOCKED)
            RETURNING seq, event_id, payload, attempts
            """)
        guard !rows.isEmpty else { return false }
        var claimed: [ClaimedRow] = []
        for row in rows {
            let (seq, eventID, payload, attempts) = try row.decode((Int64, String, String, Int32).self)
            claimed.append(ClaimedRow(seq: seq, eventID: eventID, payload: payload, attempts: attempts, correlationID: nil))
        }
        claimed.sort { $0.seq < $1.seq }
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (index, row) in claimed.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: row.payload.utf8)
        }
        body.append(UInt8(ascii: "]"))

        let request = HTTPClientRequest(method: .POST, url: subscriber.baseURL + "/internal/events",
                                        headers: ["Content-Type": "application/json"], body: body,
                                        timeout: configuration.requestTimeout, retryPolicy: RetryPolicy.none, isIdempotent: true)
        do {
            let response = try await client.send(request, signer: signer.clientSigner)
            try await settle(claimed, status: response.status.code, result: DeliveryResult(body: response.body), subscriber: subscriber)
        } catch let error as HTTPClientError {
            failures.labels([subscriber.name]).increment()
            logger.warning("delivery failed", ["subscriber": .string(subscriber.name), "error": .string(error.kind.rawValue),
                                              "events": .int(Int64(claimed.count))])
            try await reschedule(claimed, reason: "unreachable: \(error.kind.rawValue)", subscriber: subscriber)
        }
        return true
    }

    private func settle(_ claimed: [ClaimedRow], status: Int, result: DeliveryResult, subscriber: EventRoutes.Subscriber) async throws {
        let schema = outbox.schema
        if (200..<300).contains(status) {
            try await markDelivered(claimed.map(\.seq))
            delivered.labels([subscriber.name]).increment(by: Int64(claimed.count))
            return
        }
        failures.labels([subscriber.name]).increment()
        let settled = claimed.filter { result.settled[$0.eventID] != nil }
        try await markDelivered(settled.map(\.seq))
        delivered.labels([subscriber.name]).increment(by: Int64(settled.count))
        let failed = claimed.first { $0.eventID == result.failedEventID }
        if let failed, DeliveryResult.isPermanent(status: status) {
            try await database.execute("""
                UPDATE \(unsafeSQL: schema).outbox SET status = 'dead', last_error = \("rejected with status \(status)")
                WHERE seq = \(failed.seq)
                """)
            deadLettered.labels([subscriber.name]).increment()
            logger.error("event dead-lettered", ["subscriber": .string(subscriber.name), "event_id": .string(failed.eventID),
                                                "status": .int(Int64(status))])
        }
        let remaining = claimed.filter { $0.seq != failed?.seq && result.settled[$0.eventID] == nil }
        if let failed, !DeliveryResult.isPermanent(status: status) {
            try await reschedule([failed], reason: "status \(status)", subscriber: subscriber)
        } else if failed == nil {
            // No event was named: the whole batch failed (a 5xx, or a 4xx about the batch itself).
            try await reschedule(remaining, reason: "status \(status)", subscriber: subscriber,
                                 permanent: DeliveryResult.isPermanent(status: status))
            return
        }
        // Events after the failed one were not attempted: give them back without using an attempt.
        if !remaining.isEmpty {
            try await database.execute("""
                UPDATE \(unsafeSQL: schema).outbox SET attempts = attempts - 1, next_attempt_at = now()
                WHERE seq = ANY(\(array: remaining.map(\.seq))::bigint[])
                """)
        }
    }

    private func markDelivered(_ seqs: [Int64]) async throws {
        guard !seqs.isEmpty else { return }
        try await database.execute("""
            UPDATE \(unsafeSQL: outbox.schema).outbox SET status = 'delivered', delivered_at = now(), last_error = NULL
            WHERE seq = ANY(\(array: seqs)::bigint[])
            """)
    }

    /// Backs off each row by its own attempt count; rows out of attempts (or refused permanently) die.
    private func reschedule(_ rows: [ClaimedRow], reason: String, subscriber: EventRoutes.Subscriber, permanent: Bool = false) async throws {
        guard !rows.isEmpty else { return }
        var dead: [Int64] = []
        var retrySeqs: [Int64] = []
        var retryDelaysMs: [Int64] = []
        for row in rows {
            if permanent || Int(row.attempts) >= configuration.maxAttempts {
                dead.append(row.seq)
            } else {
                retrySeqs.append(row.seq)
                let ceiling = RetryPolicy.backoffCeiling(base: configuration.baseDelay, attempt: Int(row.attempts), cap: configuration.maxDelay)
                let ceilingMs = max(1, Int64(ceiling.components.seconds) * 1000 + ceiling.components.attoseconds / 1_000_000_000_000_000)
                // Half fixed, half jitter: spreads retries without ever retrying immediately.
                retryDelaysMs.append(ceilingMs / 2 + Int64.random(in: 0...(ceilingMs / 2)))
            }
        }
        let schema = outbox.schema
        if !retrySeqs.isEmpty {
            try await database.execute("""
                UPDATE \(unsafeSQL: schema).outbox o SET next_attempt_at = now() + make_interval(secs => d.ms / 1000.0),
                       last_error = \(reason)
                FROM unnest(\(array: retrySeqs)::bigint[], \(array: retryDelaysMs)::bigint[]) AS d(seq, ms)
                WHERE o.seq = d.seq
                """)
        }
        if !dead.isEmpty {
            try await database.execute("""
                UPDATE \(unsafeSQL: schema).outbox SET status = 'dead', last_error = \(reason)
                WHERE seq = ANY(\(array: dead)::bigint[])
                """)
            deadLettered.labels([subscriber.name]).increment(by: Int64(dead.count))
            logger.error("events dead-lettered", ["subscriber": .string(subscriber.name), "events": .int(Int64(dead.count)),
                                                 "reason": .string(reason)])
        }
    }

    /// The backlog gauge, refreshed by the relay itself (a scrape never waits on the database).
    private func refreshBacklog() async {
        guard let rows = try? await database.query(
            "SELECT subscriber, count(*) FROM \(unsafeSQL: outbox.schema).outbox WHERE status = 'pending' GROUP BY subscriber")
        else { return }
        var counts = Dictionary(uniqueKeysWithValues: outbox.routes.subscribers.map { ($0.name, Int64(0)) })
        for row in rows {
            if let (name, count) = try? row.decode((String, Int64).self) { counts[name] = count }
        }
        for (name, count) in counts { backlog.labels([name]).set(count) }
    }

    private func purgeDelivered() async {
        let retentionSeconds = Int64(configuration.deliveredRetention.components.seconds)
        do {
            let removed = try await database.execute("""
                DELETE FROM \(unsafeSQL: outbox.schema).outbox WHERE seq IN (
                    SELECT seq FROM \(unsafeSQL: outbox.schema).outbox
                    WHERE status = 'delivered' AND delivered_at < now() - make_interval(secs => \(retentionSeconds))
                    LIMIT 10000)
                """)
            if removed > 0 { logger.info("purged delivered outbox rows", ["rows": .int(Int64(removed))]) }
        } catch {
            logger.warning("outbox purge failed", ["error": .string(String(describing: error))])
        }
    }
}
