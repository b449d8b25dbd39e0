import Platform
import Postgres

/// The notifications schema, in order. Never edit an applied migration: add a new one.
enum NotificationsMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "notifications")
    ]
}
