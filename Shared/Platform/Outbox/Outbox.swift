import Contracts
import Postgres
import Shared

/// Writes events in the same transaction as the state change they describe, one row per subscriber.
/// The relay delivers them after commit; if the transaction rolls back, no event exists.
public struct Outbox: Sendable {
    public let schema: String
    public let routes: EventRoutes
    /// Rung after an enqueuing transaction commits (`nudge()`); the relay waits on it.
    public let doorbell: Doorbell

    public init(schema: String, routes: EventRoutes, doorbell: Doorbell = Doorbell()) {
        self.schema = schema
        self.routes = routes
        self.doorbell = doorbell
    }

    /// An event and the object it is about (events of one object reach each subscriber in order).
    public struct Entry: Sendable {
        public let event: EventEnvelope
        public let orderingKey: String

        public init(_ event: EventEnvelope, orderingKey: String) {
            self.event = event
            self.orderingKey = orderingKey
        }
    }

    /// Inserts the entries' rows on `connection` (inside the caller's transaction). Returns how many
    /// deliveries were queued (events without subscribers queue none).
    @discardableResult
    public func enqueue(_ entries: [Entry], on connection: PostgresConnection) async throws -> Int {
        guard let (query, count) = enqueueQuery(entries) else { return 0 }
        try await connection.execute(query)
        return count
    }

    /// The statement `enqueue` runs, for a caller that pipelines it with its own writes; nil when no
    /// entry has a subscriber. Also returns how many deliveries it queues.
    public func enqueueQuery(_ entries: [Entry]) -> (PostgresQuery, Int)? {
        var eventIDs: [String] = []
        var subscribers: [String] = []
        var keys: [String] = []
        var types: [String] = []
        var tenants: [String] = []
        var payloads: [String] = []
        for entry in entries {
            let payload = String(decoding: entry.event.jsonValue.serialized(), as: UTF8.self)
            for subscriber in routes.subscribers(for: entry.event.type) {
                eventIDs.append(entry.event.id)
                subscribers.append(subscriber.name)
                keys.append(entry.orderingKey)
                types.append(entry.event.type)
                tenants.append(entry.event.tenantID ?? "")
                payloads.append(payload)
            }
        }
        guard !eventIDs.isEmpty else { return nil }
        let query: PostgresQuery = """
            INSERT INTO \(unsafeSQL: schema).outbox (event_id, subscriber, ordering_key, event_type, tenant_id, payload)
            SELECT e, s, k, t, NULLIF(tn, ''), p
            FROM unnest(\(array: eventIDs)::text[], \(array: subscribers)::text[], \(array: keys)::text[],
                        \(array: types)::text[], \(array: tenants)::text[], \(array: payloads)::text[]) AS x(e, s, k, t, tn, p)
            ON CONFLICT (event_id, subscriber) DO NOTHING
            """
        return (query.prepared(), eventIDs.count)
    }

    public func enqueue(_ event: EventEnvelope, orderingKey: String, on connection: PostgresConnection) async throws {
        try await enqueue([Entry(event, orderingKey: orderingKey)], on: connection)
    }

    /// Tells this process's relay there is work (call after the enqueuing transaction committed).
    public func nudge() { doorbell.ring() }
}
