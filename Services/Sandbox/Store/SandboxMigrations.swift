import Postgres

/// The sandbox's schema: what the simulated providers remember. Never edit an applied migration.
enum SandboxMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "create_operations",
            sql: """
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
        // `id` is the sandbox's own sequence number (written explicitly), so listings survive restarts.
        Migration(
            version: 2, name: "operations_accounts_and_coffer_ids",
            sql: """
                ALTER TABLE sandbox.operations
                    ADD COLUMN account_id text,
                    ADD COLUMN related_object_id text,
                    ADD COLUMN coffer_id text;
                CREATE INDEX operations_coffer_id ON sandbox.operations (coffer_id) WHERE coffer_id IS NOT NULL;
                """),
        Migration(
            version: 3, name: "create_accounts",
            sql: """
                CREATE TABLE sandbox.accounts (
                    provider text NOT NULL,
                    credential text NOT NULL,
                    configuration jsonb NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (provider, credential)
                );
                """),
        Migration(
            version: 4, name: "create_signing_identities",
            sql: """
                CREATE TABLE sandbox.signing_identities (
                    name text PRIMARY KEY,
                    private_key_pem text NOT NULL,
                    certificate_chain_pem text NOT NULL,
                    certificate_id text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                """),
    ]
}
