import Platform
import Postgres

/// The ingress schema, in order. Never edit an applied migration: add a new one.
enum IngressMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "ingress"),
        OutboxSchema.outboxMigration(version: 2, schema: "ingress"),
        Migration(
            version: 3, name: "create_tenancy_copy",
            sql: """
                CREATE TABLE ingress.tenants (
                    tenant_id text PRIMARY KEY,
                    name text NOT NULL,
                    status text NOT NULL,
                    settings jsonb NOT NULL DEFAULT '{}',
                    version bigint NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE ingress.connectors (
                    connector_id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    provider text NOT NULL,
                    mode text NOT NULL,
                    status text NOT NULL,
                    priority integer NOT NULL,
                    sealed_secrets jsonb NOT NULL,
                    previous_secret_expires_at timestamptz,
                    webhook_id text,
                    certificates text[],
                    salt_index integer,
                    version bigint NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX connectors_by_tenant ON ingress.connectors (tenant_id, provider);
                CREATE TABLE ingress.api_keys (
                    key_id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    key_hash text NOT NULL UNIQUE,
                    prefix text NOT NULL,
                    role text NOT NULL,
                    mode text NOT NULL,
                    created_at timestamptz NOT NULL,
                    revoked_at timestamptz
                );
                CREATE TABLE ingress.snapshot_state (
                    name text PRIMARY KEY,
                    loaded_at timestamptz NOT NULL
                );
                """),
        Migration(
            version: 4, name: "create_webhook_events",
            sql: """
                CREATE TABLE ingress.webhook_events (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    provider text NOT NULL,
                    dedup_key text NOT NULL,
                    provider_event_id text,
                    provider_event_type text NOT NULL,
                    normalized_type text,
                    ordering_key text,
                    verification text NOT NULL,
                    needs_confirmation boolean NOT NULL DEFAULT false,
                    livemode boolean NOT NULL,
                    connector_id text,
                    raw_body bytea,
                    body_sha256 text NOT NULL,
                    body_size integer NOT NULL,
                    headers jsonb NOT NULL,
                    normalized jsonb,
                    correlation_id text,
                    source_ip text,
                    received_at timestamptz NOT NULL DEFAULT now(),
                    body_purged_at timestamptz,
                    UNIQUE (tenant_id, provider, dedup_key)
                );
                CREATE INDEX webhook_events_by_tenant ON ingress.webhook_events (tenant_id, received_at DESC, id DESC);
                CREATE INDEX webhook_events_received ON ingress.webhook_events (received_at);
                CREATE TABLE ingress.webhook_attempts (
                    id bigserial PRIMARY KEY,
                    received_at timestamptz NOT NULL DEFAULT now(),
                    tenant_id text,
                    provider text,
                    outcome text NOT NULL,
                    reason text,
                    http_status integer NOT NULL,
                    source_ip text,
                    body_size integer NOT NULL,
                    body_sha256 text,
                    correlation_id text,
                    event_id text
                );
                CREATE INDEX webhook_attempts_by_tenant ON ingress.webhook_attempts (tenant_id, received_at DESC);
                CREATE INDEX webhook_attempts_received ON ingress.webhook_attempts (received_at);
                """),
        JobScheduler.migration(version: 5, schema: "ingress"),
        // An accepted webhook's attempt is its event row (it carries source, size, hash and correlation
        // id); only rejects and duplicates get rows of their own. The log is the union. Ids are
        // time-ordered, so the tenant index orders by id and retention needs no time index.
        Migration(
            version: 6, name: "attempts_log_view_and_leaner_indexes",
            sql: """
                DROP INDEX ingress.webhook_events_received;
                DROP INDEX ingress.webhook_events_by_tenant;
                CREATE INDEX webhook_events_by_tenant ON ingress.webhook_events (tenant_id, id DESC);
                CREATE VIEW ingress.webhook_attempts_log AS
                    SELECT 'wha_' || a.id AS attempt_id, a.received_at, a.tenant_id, a.provider, a.outcome, a.reason, a.http_status,
                           a.source_ip, a.body_size, a.body_sha256, a.correlation_id, a.event_id
                    FROM ingress.webhook_attempts a
                    UNION ALL
                    SELECT e.id, e.received_at, e.tenant_id, e.provider, 'accepted', NULL, 200, e.source_ip, e.body_size,
                           e.body_sha256, e.correlation_id, e.id
                    FROM ingress.webhook_events e;
                """),
        // One provider event has one subscriber, so its delivery state lives on its own row: ingest
        // writes one row instead of two. Whatever the outbox still held is carried over.
        Migration(
            version: 7, name: "delivery_state_on_events",
            sql: """
                ALTER TABLE ingress.webhook_events
                    ADD COLUMN delivery_subscriber text,
                    ADD COLUMN delivery_status text CHECK (delivery_status IN ('pending', 'delivered', 'dead', 'skipped')),
                    ADD COLUMN delivery_attempts integer NOT NULL DEFAULT 0,
                    ADD COLUMN next_delivery_at timestamptz,
                    ADD COLUMN delivery_error text,
                    ADD COLUMN delivered_at timestamptz;
                UPDATE ingress.webhook_events e
                SET delivery_subscriber = o.subscriber, delivery_status = o.status, delivery_attempts = o.attempts,
                    next_delivery_at = o.next_attempt_at, delivery_error = o.last_error, delivered_at = o.delivered_at
                FROM ingress.outbox o WHERE o.event_id = e.id;
                DELETE FROM ingress.outbox;
                CREATE INDEX webhook_events_due ON ingress.webhook_events (delivery_subscriber, next_delivery_at, id)
                    WHERE delivery_status = 'pending';
                CREATE INDEX webhook_events_blocking ON ingress.webhook_events (delivery_subscriber, ordering_key, id)
                    WHERE delivery_status IN ('pending', 'dead');
                """),
        // The copy now has the shape every service's tenancy replica has (Platform's TenancyReplica).
        Migration(
            version: 8, name: "replica_connector_api_base_url",
            sql: """
                ALTER TABLE ingress.connectors ADD COLUMN api_base_url text;
                """),
    ]
}
