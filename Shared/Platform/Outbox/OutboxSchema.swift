import Postgres

/// The tables of the outbox and the inbox, created in each service's own schema. The SQL is part of a
/// migration's checksum: never edit it here; change the tables in a new migration instead.
public enum OutboxSchema {
    /// One row per (event, subscriber). `ordering_key` is the object the event is about: a subscriber
    /// gets the events of one object in order, and a dead one holds back the later ones.
    public static func outboxMigration(version: Int, schema: String) -> Migration {
        Migration(
            version: version, name: "create_outbox",
            sql: """
                CREATE TABLE \(schema).outbox (
                    seq bigserial PRIMARY KEY,
                    event_id text NOT NULL,
                    subscriber text NOT NULL,
                    ordering_key text NOT NULL,
                    event_type text NOT NULL,
                    tenant_id text,
                    payload text NOT NULL,
                    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'skipped')),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    last_error text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    delivered_at timestamptz,
                    UNIQUE (event_id, subscriber)
                );
                CREATE INDEX outbox_due ON \(schema).outbox (subscriber, next_attempt_at, seq) WHERE status = 'pending';
                CREATE INDEX outbox_blocking ON \(schema).outbox (subscriber, ordering_key, seq) WHERE status IN ('pending', 'dead');
                CREATE INDEX outbox_delivered ON \(schema).outbox (delivered_at) WHERE status = 'delivered';
                """)
    }

    /// Event ids already applied, so a redelivery has no effect (at-least-once + this = exactly-once effects).
    public static func inboxMigration(version: Int, schema: String) -> Migration {
        Migration(
            version: version, name: "create_inbox",
            sql: """
                CREATE TABLE \(schema).inbox (
                    event_id text PRIMARY KEY,
                    event_type text NOT NULL,
                    source text NOT NULL,
                    tenant_id text,
                    outcome text NOT NULL DEFAULT 'applied',
                    received_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX inbox_received ON \(schema).inbox (received_at);
                """)
    }
}
