import Postgres

/// The sandbox's schema: what the simulated providers remember. Never edit an applied migration.
enum SandboxMigrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "create_operations", sql: """
            CREATE TABLE sandbox.operations (
                id bigserial PRIMARY KEY,
                provider text NOT NULL,
                kind text NOT NULL,
                object_id text,
                idempotency_key text,
                amount bigint,
                currency text,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            """),
    ]
}
