import Foundation
import Postgres
import Shared

/// The statements that forget old webhooks, each a batch of at most `batchSize` rows so no delete
/// holds long locks; callers repeat a batch until it affects fewer rows.
struct WebhookRetention: Sendable {
    static let batchSize = 5000
    let database: PostgresPool

    /// Attempts (rejects included) received more than `seconds` ago.
    func deleteAttempts(olderThanSeconds seconds: Int64) async throws -> Int {
        try await database.execute(
            """
            DELETE FROM ingress.webhook_attempts WHERE id IN (
                SELECT id FROM ingress.webhook_attempts
                WHERE received_at < now() - make_interval(secs => \(seconds)) LIMIT \(Int64(Self.batchSize)))
            """)
    }

    /// Raw bodies of events older than `boundary` (event ids are time-ordered: an id range on the
    /// primary key); the hash and the normalized event stay.
    func dropBodies(before boundary: String) async throws -> Int {
        try await database.execute(
            """
            UPDATE ingress.webhook_events SET raw_body = NULL, body_purged_at = now() WHERE id IN (
                SELECT id FROM ingress.webhook_events
                WHERE id < \(boundary) AND raw_body IS NOT NULL ORDER BY id LIMIT \(Int64(Self.batchSize)))
            """)
    }

    /// Whole events older than `boundary`, with their deduplication keys, unless a delivery is still
    /// pending or dead.
    func deleteEvents(before boundary: String) async throws -> Int {
        try await database.execute(
            """
            DELETE FROM ingress.webhook_events e WHERE e.id IN (
                SELECT id FROM ingress.webhook_events
                WHERE id < \(boundary) AND (delivery_status IS NULL OR delivery_status NOT IN ('pending', 'dead'))
                ORDER BY id LIMIT \(Int64(Self.batchSize)))
            """)
    }

    /// Inbox entries (events other services sent) older than `seconds`.
    func purgeInbox(olderThanSeconds seconds: Int64) async throws {
        try await database.execute(
            "DELETE FROM ingress.inbox WHERE received_at < now() - make_interval(secs => \(seconds))")
    }
}
