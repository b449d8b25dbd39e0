import Platform
import Postgres

/// The monitoring schema, in order. Never edit an applied migration: add a new one.
enum MonitoringMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "monitoring")
    ]
}
