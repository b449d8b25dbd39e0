import Contracts
import Postgres
import Shared

/// What a service does with an event from another service. Runs inside the transaction that also
/// records the event id in the inbox, so an event is applied at most once.
public protocol EventConsumer: Sendable {
    /// Apply `event` in the inbox's unit of work (scope it to the event's tenant first: `work.scope(to:)`).
    /// Return `.ignored` for types this service does not use. Throw `PermanentEventError` for an event
    /// that can never be applied (it is dead-lettered at the sender); any other error makes the sender
    /// retry later.
    func apply(_ event: EventEnvelope, in work: inout Work, logger: Logger) async throws -> EventOutcome
}

public enum EventOutcome: String, Sendable {
    case applied, ignored
}

/// An event that will never apply (malformed data, an object that cannot exist).
public struct PermanentEventError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
