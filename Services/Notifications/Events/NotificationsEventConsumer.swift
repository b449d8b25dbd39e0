import Contracts
import Platform
import Postgres
import Shared

/// Events from the other services. Notifications does not act on any yet: each is acknowledged and recorded in
/// the inbox as ignored (so the sender's relay neither retries nor dead-letters it), and logged at debug.
struct NotificationsEventConsumer: EventConsumer {
    func apply(_ event: EventEnvelope, in work: inout Work, logger: Logger) async throws -> EventOutcome {
        logger.debug(
            "event acknowledged, not acted on yet", ["type": .string(event.type), "event_id": .string(event.id)])
        return .ignored
    }
}
