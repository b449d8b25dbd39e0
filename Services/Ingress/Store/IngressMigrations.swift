import Platform
import Postgres

/// The ingress schema, in order. Never edit an applied migration: add a new one.
enum IngressMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "ingress"),
        OutboxSchema.outboxMigration(version: 2, schema: "ingress"),
        Migration(version: 3, name: "create_tenancy_copy", sql: """
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
        Migration(version: 4, name: "create_webhook_events", sql: """
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
    ]
}