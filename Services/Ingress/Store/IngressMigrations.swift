import Platform
import Postgres

/// The ingress schema, in order. Never edit an applied migration: add a new one.
enum IngressMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "ingress"),
        OutboxSchema.outboxMigration(version: 2, schema: "ingress"),
    ]
}
