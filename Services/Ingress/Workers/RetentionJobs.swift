import Foundation
import Platform
import Postgres
import Shared

/// What ingress forgets, and when: attempts after `WEBHOOK_ATTEMPT_RETENTION`; raw bodies after
/// `WEBHOOK_BODY_RETENTION` (the hash and the normalized event stay); whole events, with their
/// deduplication keys, after `WEBHOOK_EVENT_RETENTION` (at least 30 days) unless a delivery is still
/// pending or dead. Deletes run in batches so they never hold long locks.
enum RetentionJobs {
    static func all(database: PostgresPool, configuration: IngressConfiguration, logger: Logger) -> [ScheduledJob] {
        let attempts = configuration.attemptRetention.components.seconds
        let bodies = configuration.bodyRetention.components.seconds
        let events = configuration.eventRetention.components.seconds
        let retention = WebhookRetention(database: database)
        return [
            ScheduledJob(name: "ingress.retention", interval: .seconds(600)) {
                let droppedAttempts = try await repeatUntilDone {
                    try await retention.deleteAttempts(olderThanSeconds: attempts)
                }
                // Event ids are time-ordered: "older than" is an id range on the primary key.
                let bodyBoundary = CofferID.lowerBound(.event, at: Date().addingTimeInterval(-Double(bodies)))
                let eventBoundary = CofferID.lowerBound(.event, at: Date().addingTimeInterval(-Double(events)))
                let droppedBodies = try await repeatUntilDone { try await retention.dropBodies(before: bodyBoundary) }
                let droppedEvents = try await repeatUntilDone {
                    try await retention.deleteEvents(before: eventBoundary)
                }
                try await retention.purgeInbox(olderThanSeconds: events)
                if droppedAttempts + droppedBodies + droppedEvents > 0 {
                    logger.info(
                        "retention applied",
                        [
                            "attempts_deleted": .int(Int64(droppedAttempts)),
                            "bodies_dropped": .int(Int64(droppedBodies)),
                            "events_deleted": .int(Int64(droppedEvents)),
                        ])
                }
            }
        ]
    }

    /// Runs a batched statement until it affects no more rows; returns the total.
    static func repeatUntilDone(_ batch: () async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let affected = try await batch()
            total += affected
            if affected < WebhookRetention.batchSize { return total }
        }
    }
}
