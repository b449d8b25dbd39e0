import Platform
import Postgres

/// The payouts schema, in order. Never edit an applied migration: add a new one.
enum PayoutsMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "payouts"),
        OutboxSchema.outboxMigration(version: 2, schema: "payouts"),
    ]
}
