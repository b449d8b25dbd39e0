import Platform
import Postgres

/// The payments schema, in order. Never edit an applied migration: add a new one.
enum PaymentsMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "payments"),
        OutboxSchema.outboxMigration(version: 2, schema: "payments"),
    ]
}
