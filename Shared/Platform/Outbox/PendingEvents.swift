import Contracts
import Postgres
import Shared

/// A service's events waiting for their transaction's commit: collected while the transaction makes
/// its changes and written with one statement at its end, so an event exists exactly when its change
/// committed (DESIGN.md: plain names, the owning service as `source`).
public struct PendingEvents: Sendable {
    public let source: String
    public let tenantID: String
    public let correlationID: String?
    public private(set) var entries: [Outbox.Entry] = []

    public init(source: String, tenantID: String, correlationID: String?) {
        self.source = source
        self.tenantID = tenantID
        self.correlationID = correlationID
    }

    /// An event about one object (events with the same ordering key reach each subscriber in order).
    public mutating func add(_ type: String, data: JSONValue, orderingKey: String) {
        entries.append(
            Outbox.Entry(
                EventEnvelope(type: type, source: source, tenantID: tenantID, correlationID: correlationID, data: data),
                orderingKey: orderingKey))
    }

    public func write(to outbox: Outbox, on connection: PostgresConnection) async throws {
        guard !entries.isEmpty else { return }
        try await outbox.enqueue(entries, on: connection)
    }
}
