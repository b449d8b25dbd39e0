import Postgres

/// The `idempotency_keys` table a service's `IdempotencyStore` uses (never edit once applied).
public enum IdempotencySchema {
    public static func migration(version: Int, schema: String) -> Migration {
        Migration(
            version: version, name: "create_idempotency",
            sql: """
                CREATE TABLE \(schema).idempotency_keys (
                    scope text NOT NULL,
                    key text NOT NULL,
                    tenant_id text NOT NULL,
                    request_method text NOT NULL,
                    request_path text NOT NULL,
                    fingerprint text NOT NULL,
                    status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
                    locked_until timestamptz,
                    recovery_point text,
                    response_status integer,
                    response_body bytea,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL,
                    PRIMARY KEY (scope, key)
                );
                CREATE INDEX idempotency_keys_expiry ON \(schema).idempotency_keys (expires_at);
                """)
    }
}
