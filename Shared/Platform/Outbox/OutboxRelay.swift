import Foundation
import HTTP
import Postgres
import Shared
import Synchronization

/// Delivers queued events to subscribers' `POST /internal/events`, signed, in batches, in order per
/// object, with backoff and dead-lettering. A batch is claimed with `FOR UPDATE SKIP LOCKED` inside a
/// transaction held while it is delivered, so any number of replicas relay without sending a row
/// twice at once, and a delivered row costs one update. A relay that dies mid-delivery leaves its
/// transaction to abort: the rows unlock and are delivered again (consumers deduplicate).
public final class OutboxRelay: Service {
    public let name = "outbox-relay"
    private let table: DeliveryTable
    private let subscribers: [EventRoutes.Subscriber]
    private let database: PostgresPool
    private let client: CofferHTTPClient
    private let signer: InternalRequestSigner
    private let configuration: OutboxRelayConfiguration
    private let logger: Logger
    private let control: LoopControl
    private let delivered: MetricFamily<Counter>
    private let failures: MetricFamily<Counter>
    private let deadLettered: MetricFamily<Counter>
    private let backlog: MetricFamily<Gauge>

    public convenience init(
        outbox: Outbox, doorbell: Doorbell, runtime: ServiceRuntime, configuration: OutboxRelayConfiguration
    ) {
        self.init(
            table: .outbox(schema: outbox.schema), subscribers: outbox.routes.subscribers, doorbell: doorbell,
            runtime: runtime, configuration: configuration)
    }

    public init(
        table: DeliveryTable, subscribers: [EventRoutes.Subscriber], doorbell: Doorbell, runtime: ServiceRuntime,
        configuration: OutboxRelayConfiguration
    ) {
        self.table = table
        self.subscribers = subscribers
        control = LoopControl(bell: doorbell)
        self.database = runtime.database
        self.client = runtime.httpClient
        self.signer = runtime.signer
        self.configuration = configuration
        self.logger = runtime.logger.with(["component": "outbox-relay"])
        delivered = runtime.metrics.counter(
            "coffer_outbox_delivered_total", help: "Events delivered, by subscriber.", labels: ["subscriber"])
        failures = runtime.metrics.counter(
            "coffer_outbox_delivery_failures_total", help: "Failed delivery attempts, by subscriber.",
            labels: ["subscriber"])
        deadLettered = runtime.metrics.counter(
            "coffer_outbox_dead_lettered_total", help: "Events dead-lettered, by subscriber.",
            labels: ["subscriber"])
        backlog = runtime.metrics.gauge(
            "coffer_outbox_pending", help: "Events waiting for delivery, by subscriber.", labels: ["subscriber"])
    }

    public func run() async throws {
        var lastPurge = ContinuousClock.now
        var lastBacklog = ContinuousClock.now - .seconds(60)
        while control.isRunning {
            if ContinuousClock.now - lastBacklog > .seconds(15) {
                lastBacklog = ContinuousClock.now
                await refreshBacklog()
            }
            var worked = false
            for subscriber in subscribers where !configuration.paused {
                do {
                    worked = try await relayBatch(to: subscriber) || worked
                } catch {
                    logger.warning(
                        "relay round failed",
                        ["subscriber": .string(subscriber.name), "error": .string(String(describing: error))])
                }
            }
            if ContinuousClock.now - lastPurge > .seconds(600) {
                lastPurge = ContinuousClock.now
                await purgeDelivered()
            }
            if !worked { await control.pause(configuration.idlePoll) }
        }
    }

    public func shutdown() async {
        control.stop()
    }

    struct ClaimedRow {
        let id: String
        let eventID: String
        let payload: String
        /// Attempts before this one.
        let attempts: Int32
    }

    /// What delivering a claimed batch came to, applied before the claim's transaction commits.
    private enum Settlement {
        case allDelivered
        case partial(
            delivered: [ClaimedRow], failed: ClaimedRow?, permanent: Bool, untried: [ClaimedRow], reason: String)
        case noneDelivered(reason: String, permanent: Bool)
    }

    /// Claims, delivers and settles one batch. Returns whether there was anything to do.
    func relayBatch(to subscriber: EventRoutes.Subscriber) async throws -> Bool {
        let t = table
        return try await database.transaction { connection -> Bool in
            let claim: PostgresQuery = """
                SELECT o.\(unsafeSQL: t.idColumn)::text, o.\(unsafeSQL: t.eventIDColumn), \(unsafeSQL: t.payloadExpression),
                       o.\(unsafeSQL: t.attemptsColumn)
                FROM \(unsafeSQL: t.table) o
                WHERE o.\(unsafeSQL: t.subscriberColumn) = \(subscriber.name) AND o.\(unsafeSQL: t.statusColumn) = 'pending'
                  AND o.\(unsafeSQL: t.nextAttemptColumn) <= now()
                  AND NOT EXISTS (
                      SELECT 1 FROM \(unsafeSQL: t.table) p
                      WHERE p.\(unsafeSQL: t.subscriberColumn) = o.\(unsafeSQL: t.subscriberColumn)
                        AND p.\(unsafeSQL: t.orderingKeyColumn) = o.\(unsafeSQL: t.orderingKeyColumn)
                        AND p.\(unsafeSQL: t.statusColumn) IN ('pending', 'dead')
                        AND p.\(unsafeSQL: t.idColumn) < o.\(unsafeSQL: t.idColumn))
                ORDER BY o.\(unsafeSQL: t.idColumn)
                LIMIT \(configuration.batchSize)
                FOR UPDATE OF o SKIP LOCKED
                """
            let rows = try await connection.query(claim.prepared())
            guard !rows.isEmpty else { return false }
            var claimed: [ClaimedRow] = []
            for row in rows {
                let (id, eventID, payload, attempts) = try row.decode((String, String, String, Int32).self)
                claimed.append(ClaimedRow(id: id, eventID: eventID, payload: payload, attempts: attempts))
            }
            let settlement = await deliver(claimed, to: subscriber)
            try await settle(settlement, claimed: claimed, subscriber: subscriber, on: connection)
            return true
        }
    }

    private func deliver(_ claimed: [ClaimedRow], to subscriber: EventRoutes.Subscriber) async -> Settlement {
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (index, row) in claimed.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: row.payload.utf8)
        }
        body.append(UInt8(ascii: "]"))
        let request = HTTPClientRequest(
            method: .POST, url: subscriber.baseURL + "/internal/events",
            headers: ["Content-Type": "application/json"], body: body,
            timeout: configuration.requestTimeout, retryPolicy: RetryPolicy.none, isIdempotent: true)
        let response: HTTPClientResponse
        do {
            response = try await client.send(request, signer: signer.clientSigner(to: subscriber.name))
        } catch let error as HTTPClientError {
            return .noneDelivered(reason: "unreachable: \(error.kind.rawValue)", permanent: false)
        } catch {
            return .noneDelivered(reason: "unreachable", permanent: false)
        }
        let status = response.status.code
        if (200..<300).contains(status) { return .allDelivered }
        let result = DeliveryResult(body: response.body)
        let permanent = DeliveryResult.isPermanent(status: status)
        guard let failedID = result.failedEventID, let failed = claimed.first(where: { $0.eventID == failedID }) else {
            // No event was named: the whole batch failed (a 5xx, or a 4xx about the batch itself).
            return .noneDelivered(reason: "status \(status)", permanent: permanent)
        }
        let settled = claimed.filter { result.settled[$0.eventID] != nil }
        let untried = claimed.filter { $0.id != failed.id && result.settled[$0.eventID] == nil }
        return .partial(
            delivered: settled, failed: failed, permanent: permanent, untried: untried, reason: "status \(status)")
    }

    private func settle(
        _ settlement: Settlement, claimed: [ClaimedRow], subscriber: EventRoutes.Subscriber,
        on connection: PostgresConnection
    ) async throws {
        switch settlement {
        case .allDelivered:
            try await markDelivered(claimed, on: connection)
            delivered.labels([subscriber.name]).increment(by: Int64(claimed.count))
        case .partial(let ok, let failed, let permanent, _, let reason):
            failures.labels([subscriber.name]).increment()
            try await markDelivered(ok, on: connection)
            delivered.labels([subscriber.name]).increment(by: Int64(ok.count))
            if let failed {
                try await reschedule(
                    [failed], reason: reason, permanent: permanent, subscriber: subscriber, on: connection)
            }
        // The events after the failed one were not attempted: they stay as they were.
        case .noneDelivered(let reason, let permanent):
            failures.labels([subscriber.name]).increment()
            logger.warning(
                "delivery failed",
                [
                    "subscriber": .string(subscriber.name), "reason": .string(reason),
                    "events": .int(Int64(claimed.count)),
                ])
            try await reschedule(claimed, reason: reason, permanent: permanent, subscriber: subscriber, on: connection)
        }
    }

    private func markDelivered(_ rows: [ClaimedRow], on connection: PostgresConnection) async throws {
        guard !rows.isEmpty else { return }
        let t = table
        let mark: PostgresQuery = """
            UPDATE \(unsafeSQL: t.table) SET \(unsafeSQL: t.statusColumn) = 'delivered', \(unsafeSQL: t.deliveredAtColumn) = now(),
                   \(unsafeSQL: t.errorColumn) = NULL
            WHERE \(unsafeSQL: t.idColumn) = ANY(\(array: rows.map(\.id))::\(unsafeSQL: t.idType)[])
            """
        try await connection.execute(mark.prepared())
    }

    /// Counts an attempt and backs each row off by its attempt count; rows out of attempts (or refused
    /// permanently) die, holding back later events of their object until an operator replays them.
    private func reschedule(
        _ rows: [ClaimedRow], reason: String, permanent: Bool, subscriber: EventRoutes.Subscriber,
        on connection: PostgresConnection
    ) async throws {
        guard !rows.isEmpty else { return }
        var dead: [String] = []
        var retryIDs: [String] = []
        var retryDelaysMs: [Int64] = []
        for row in rows {
            let attempts = Int(row.attempts) + 1
            if permanent || attempts >= configuration.maxAttempts {
                dead.append(row.id)
            } else {
                retryIDs.append(row.id)
                let delay = RetryPolicy.spreadDelay(
                    base: configuration.baseDelay, attempt: attempts, cap: configuration.maxDelay)
                retryDelaysMs.append(max(1, Int64(MonotonicClock.nanoseconds(delay) / 1_000_000)))
            }
        }
        let t = table
        if !retryIDs.isEmpty {
            try await connection.execute(
                """
                UPDATE \(unsafeSQL: t.table) o SET \(unsafeSQL: t.attemptsColumn) = o.\(unsafeSQL: t.attemptsColumn) + 1,
                       \(unsafeSQL: t.nextAttemptColumn) = now() + make_interval(secs => d.ms / 1000.0), \(unsafeSQL: t.errorColumn) = \(reason)
                FROM unnest(\(array: retryIDs)::\(unsafeSQL: t.idType)[], \(array: retryDelaysMs)::bigint[]) AS d(id, ms)
                WHERE o.\(unsafeSQL: t.idColumn) = d.id
                """)
        }
        if !dead.isEmpty {
            try await connection.execute(
                """
                UPDATE \(unsafeSQL: t.table) SET \(unsafeSQL: t.statusColumn) = 'dead', \(unsafeSQL: t.attemptsColumn) = \(unsafeSQL: t.attemptsColumn) + 1,
                       \(unsafeSQL: t.errorColumn) = \(reason)
                WHERE \(unsafeSQL: t.idColumn) = ANY(\(array: dead)::\(unsafeSQL: t.idType)[])
                """)
            deadLettered.labels([subscriber.name]).increment(by: Int64(dead.count))
            logger.error(
                "events dead-lettered",
                [
                    "subscriber": .string(subscriber.name), "events": .int(Int64(dead.count)),
                    "reason": .string(reason),
                ])
        }
    }

    /// The backlog gauge, refreshed by the relay itself (a scrape never waits on the database).
    private func refreshBacklog() async {
        let t = table
        guard
            let rows = try? await database.query(
                """
                SELECT \(unsafeSQL: t.subscriberColumn), count(*) FROM \(unsafeSQL: t.table)
                WHERE \(unsafeSQL: t.statusColumn) = 'pending' GROUP BY 1
                """)
        else { return }
        var counts = Dictionary(uniqueKeysWithValues: subscribers.map { ($0.name, Int64(0)) })
        for row in rows {
            if let (name, count) = try? row.decode((String, Int64).self) { counts[name] = count }
        }
        for (name, count) in counts { backlog.labels([name]).set(count) }
    }

    /// Drops delivered rows of the standard outbox after `OUTBOX_RETENTION` (tables that hold their own
    /// events keep them, and purge them by their own rules).
    private func purgeDelivered() async {
        guard table.payloadExpression == "payload" else { return }
        let retentionSeconds = Int64(configuration.deliveredRetention.components.seconds)
        let t = table
        do {
            let removed = try await database.execute(
                """
                DELETE FROM \(unsafeSQL: t.table) WHERE \(unsafeSQL: t.idColumn) IN (
                    SELECT \(unsafeSQL: t.idColumn) FROM \(unsafeSQL: t.table)
                    WHERE \(unsafeSQL: t.statusColumn) = 'delivered'
                      AND \(unsafeSQL: t.deliveredAtColumn) < now() - make_interval(secs => \(retentionSeconds))
                    LIMIT 10000)
                """)
            if removed > 0 { logger.info("purged delivered outbox rows", ["rows": .int(Int64(removed))]) }
        } catch {
            logger.warning("outbox purge failed", ["error": .string(String(describing: error))])
        }
    }
}
