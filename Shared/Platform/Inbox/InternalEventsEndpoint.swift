import Contracts
import HTTP
import Postgres
import Shared

/// `POST /internal/events`: applies a batch of envelopes in order, each at most once (the inbox
/// records its id in the same transaction as its effect), and answers per the relay contract
/// (`DeliveryResult`). Only the senders in `senders` may call it, each only with its own event types.
public struct InternalEventsEndpoint: Sendable {
    /// The largest batch a relay may send (the relay's batches are far smaller).
    public static let bodyLimit = 4 << 20

    private let schema: String
    private let work: UnitOfWork
    private let consumer: any EventConsumer
    private let senders: EventSenders
    private let applied: MetricFamily<Counter>

    /// `work` is the service's unit of work: what a consumer publishes or audits is written with the
    /// inbox rows, and the relay is woken after they commit.
    public init(
        schema: String, work: UnitOfWork, consumer: any EventConsumer, senders: EventSenders, metrics: MetricsRegistry
    ) {
        self.schema = schema
        self.work = work
        self.consumer = consumer
        self.senders = senders
        applied = metrics.counter(
            "coffer_inbox_events_total", help: "Events received from other services, by type and outcome.",
            labels: ["type", "outcome"])
    }

    public func register(on router: Router, authentication: InternalAuthenticator) {
        let authentication = authentication.only(senders.senders)
        router.post(
            "/internal/events", bodyLimit: Self.bodyLimit, admission: [authentication], middleware: [authentication]
        ) { request, context in
            try await handle(request, context: context)
        }
    }

    func handle(_ request: HTTPRequest, context: RequestContext) async throws -> HTTPResponse {
        let events: [EventEnvelope]
        do {
            events = try EventEnvelope.decodeBatch(request.body)
        } catch {
            throw HTTPError.badRequest(
                "The body must be a JSON array of event envelopes: \(error)", code: "invalid_events")
        }
        let sender = context.internalSender ?? ""
        if let refused = events.firstIndex(where: { $0.source != sender || !senders.allows(sender, type: $0.type) }) {
            // Everything before the refused event is applied; the refused one is dead-lettered by the sender.
            let before = Array(events.prefix(refused))
            let results = before.isEmpty ? [] : try await apply(before, logger: context.logger)
            let reason =
                events[refused].source != sender
                ? "event source \(events[refused].source) is not the sender \(sender)"
                : "\(sender) may not send \(events[refused].type) here"
            context.logger.error(
                "event refused",
                [
                    "event_id": .string(events[refused].id), "type": .string(events[refused].type),
                    "reason": .string(reason),
                ])
            return .json(
                .unprocessableContent,
                bytes: Self.body(
                    results: results, failed: events[refused].id,
                    error: ErrorBody.bytes(code: "event_not_allowed", message: reason, requestID: context.requestID)))
        }
        do {
            let results = try await apply(events, logger: context.logger)
            return .json(.ok, bytes: Self.body(results: results, failed: nil, error: nil))
        } catch let failure as BatchFailure {
            // Apply what came before the failing event, then report it as permanently refused.
            let before = Array(events.prefix(failure.index))
            let results = before.isEmpty ? [] : try await apply(before, logger: context.logger)
            context.logger.error(
                "event refused",
                [
                    "event_id": .string(events[failure.index].id),
                    "type": .string(events[failure.index].type), "reason": .string(failure.reason),
                ])
            return .json(
                .unprocessableContent,
                bytes: Self.body(
                    results: results, failed: events[failure.index].id,
                    error: ErrorBody.bytes(
                        code: "event_rejected", message: failure.reason, requestID: context.requestID)))
        }
    }

    struct BatchFailure: Error {
        let index: Int
        let reason: String
    }

    /// Applies all events in one transaction (retried as a whole on serialization failures).
    private func apply(_ events: [EventEnvelope], logger: Logger) async throws -> [(String, String)] {
        let results = try await work.runEvents { work -> [(String, String)] in
            let connection = work.connection
            var results: [(String, String)] = []
            for (index, event) in events.enumerated() {
                var eventLogger = logger
                eventLogger.tenantID = event.tenantID
                eventLogger.correlationID = event.correlationID ?? logger.correlationID
                work.correlationID = event.correlationID
                let fresh = try await connection.query(
                    """
                    INSERT INTO \(unsafeSQL: schema).inbox (event_id, event_type, source, tenant_id)
                    VALUES (\(event.id), \(event.type), \(event.source), \(event.tenantID))
                    ON CONFLICT (event_id) DO NOTHING RETURNING 1
                    """)
                guard !fresh.isEmpty else {
                    results.append((event.id, "duplicate"))
                    continue
                }
                let outcome: EventOutcome
                do {
                    outcome = try await consumer.apply(event, in: &work, logger: eventLogger)
                } catch let error as PermanentEventError {
                    throw BatchFailure(index: index, reason: error.reason)
                }
                if outcome == .ignored {
                    try await connection.execute(
                        "UPDATE \(unsafeSQL: schema).inbox SET outcome = 'ignored' WHERE event_id = \(event.id)")
                }
                results.append((event.id, outcome.rawValue))
            }
            return results.map { ($0.0, $0.1) }
        }
        for (index, result) in results.enumerated() where index < events.count {
            applied.labels([events[index].type, result.1]).increment()
        }
        return results
    }

    static func body(results: [(String, String)], failed: String?, error: [UInt8]?) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + results.count * 48)
        writer.raw("{")
        if let error {
            writer.raw("\"error\":")
            writer.bytes.append(contentsOf: error.dropFirst("{\"error\":".utf8.count).dropLast())
            writer.raw(",")
        }
        writer.raw("\"results\":[")
        for (index, (id, status)) in results.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{\"id\":")
            writer.string(id)
            writer.raw(",\"status\":")
            writer.string(status)
            writer.raw("}")
        }
        writer.raw("]")
        if let failed {
            writer.raw(",\"failed\":")
            writer.string(failed)
        }
        writer.raw("}")
        return writer.bytes
    }
}
