import Platform
import Postgres

/// The payouts schema, in order. Never edit an applied migration: add a new one.
enum PayoutsMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "payouts"),
        OutboxSchema.outboxMigration(version: 2, schema: "payouts"),
        JobScheduler.migration(version: 3, schema: "payouts"),
        TenancyReplica.migration(version: 4, schema: "payouts"),
        IdempotencySchema.migration(version: 5, schema: "payouts"),
        // Money tables carry tenant_id without a foreign key (the tenants here are a replica, and a key
        // on one hot row per insert would serialize a tenant's payouts); row-level security ties rows
        // to their tenant.
        Migration(
            version: 6, name: "create_payees_balances",
            sql: """
                CREATE TABLE payouts.payees (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    livemode boolean NOT NULL,
                    name text NOT NULL,
                    type text NOT NULL CHECK (type IN ('seller', 'employee', 'referrer')),
                    email text,
                    destination_kind text NOT NULL,
                    -- The destination (account number, IFSC, VPA, MSISDN, email) sealed with AES-256-GCM under
                    -- COFFER_MASTER_KEY; only its last 4 characters are kept in the clear, for display.
                    destination_sealed text NOT NULL,
                    destination_last4 text NOT NULL,
                    -- HMAC of the normalized destination: finds one destination shared by several payees
                    -- without storing it in the clear.
                    destination_fingerprint text NOT NULL,
                    destination_verified_at timestamptz,
                    destination_check text CHECK (destination_check IN ('pending', 'passed', 'failed')),
                    recruiter_payee_id text,
                    status text NOT NULL CHECK (status IN ('active', 'disabled')),
                    metadata jsonb NOT NULL DEFAULT '{}',
                    version bigint NOT NULL,
                    created_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX payees_by_tenant ON payouts.payees (tenant_id, id DESC);
                CREATE INDEX payees_by_fingerprint ON payouts.payees (tenant_id, destination_fingerprint);
                -- What each payee is owed, per currency. `available` may go below zero only through a
                -- clawback (a refund after the payee was paid): later earnings net the debt. `reserved` is
                -- held by payouts not yet settled. available + reserved = what payments' ledger says is owed.
                CREATE TABLE payouts.balances (
                    tenant_id text NOT NULL,
                    payee_id text NOT NULL,
                    currency text NOT NULL,
                    available bigint NOT NULL DEFAULT 0,
                    reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
                    paid_out bigint NOT NULL DEFAULT 0,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (tenant_id, payee_id, currency)
                );
                -- Every change to a balance, once per source (an event, a payout, an operator credit).
                CREATE TABLE payouts.balance_entries (
                    id bigserial PRIMARY KEY,
                    tenant_id text NOT NULL,
                    payee_id text NOT NULL,
                    currency text NOT NULL,
                    amount bigint NOT NULL,
                    reason text NOT NULL,
                    source_id text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (tenant_id, reason, source_id, payee_id)
                );
                CREATE INDEX balance_entries_by_payee ON payouts.balance_entries (tenant_id, payee_id, id DESC);
                """),
        Migration(
            version: 7, name: "create_payouts",
            sql: """
                CREATE TABLE payouts.payout_batches (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    livemode boolean NOT NULL,
                    item_count integer NOT NULL,
                    totals jsonb NOT NULL,
                    -- Item index to payout id, in the order submitted.
                    payout_ids text[] NOT NULL,
                    created_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE payouts.payouts (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    livemode boolean NOT NULL,
                    payee_id text NOT NULL,
                    amount bigint NOT NULL CHECK (amount > 0),
                    currency text NOT NULL,
                    purpose text NOT NULL,
                    narration text,
                    status text NOT NULL CHECK (status IN ('scheduled', 'pending_approval', 'held', 'queued', 'processing', 'processed',
                        'failed', 'reversed', 'canceled')),
                    -- Why it waits: first_run, above_approval_threshold (approval); velocity, shared_destination,
                    -- amount_above_history, destination_unverified (holds).
                    approval_reasons text[] NOT NULL DEFAULT '{}',
                    hold_reasons text[] NOT NULL DEFAULT '{}',
                    scheduled_for timestamptz,
                    -- A destination check paid from the platform's own account (touches no balance).
                    is_test boolean NOT NULL DEFAULT false,
                    batch_id text,
                    provider text,
                    connector_id text,
                    provider_payout_id text,
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    -- While processing: when a worker that died is presumed gone and the payout is looked up.
                    lease_until timestamptz,
                    failure_code text,
                    failure_message text,
                    approved_by text,
                    released_by text,
                    created_by text NOT NULL,
                    metadata jsonb NOT NULL DEFAULT '{}',
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    queued_at timestamptz,
                    processed_at timestamptz,
                    finished_at timestamptz
                );
                CREATE INDEX payouts_by_tenant ON payouts.payouts (tenant_id, id DESC);
                CREATE INDEX payouts_by_payee ON payouts.payouts (tenant_id, payee_id, created_at DESC);
                CREATE INDEX payouts_by_batch ON payouts.payouts (batch_id) WHERE batch_id IS NOT NULL;
                -- The queue: due payouts, oldest first.
                CREATE INDEX payouts_due ON payouts.payouts (next_attempt_at) WHERE status = 'queued';
                CREATE INDEX payouts_scheduled ON payouts.payouts (scheduled_for) WHERE status = 'scheduled';
                CREATE INDEX payouts_leased ON payouts.payouts (lease_until) WHERE status = 'processing';
                CREATE INDEX payouts_recent ON payouts.payouts (updated_at);
                -- A payee's recent paid payouts (the "amount far above its history" check reads at most 20).
                CREATE INDEX payouts_history ON payouts.payouts (tenant_id, payee_id, currency, created_at DESC) INCLUDE (amount)
                    WHERE status = 'processed' AND NOT is_test;
                -- The tenant's daily total (a limit in its settings), summed from the index alone.
                CREATE INDEX payouts_daily ON payouts.payouts (tenant_id, currency, created_at) INCLUDE (amount, status, livemode)
                    WHERE NOT is_test;
                CREATE UNIQUE INDEX payouts_by_provider_id ON payouts.payouts (connector_id, provider_payout_id)
                    WHERE provider_payout_id IS NOT NULL;
                -- Until a tenant confirms its first payout run, its payouts wait for approval.
                CREATE TABLE payouts.first_runs (
                    tenant_id text NOT NULL,
                    livemode boolean NOT NULL,
                    confirmed_at timestamptz NOT NULL,
                    confirmed_by text NOT NULL,
                    totals jsonb NOT NULL,
                    PRIMARY KEY (tenant_id, livemode)
                );
                -- A live payout forced to a state needs two operators: the first asks, a second confirms.
                CREATE TABLE payouts.force_resolutions (
                    payout_id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    status text NOT NULL,
                    reason text NOT NULL,
                    requested_by text NOT NULL,
                    requested_at timestamptz NOT NULL DEFAULT now()
                );
                """),
        Migration(
            version: 8, name: "create_reconciliation",
            sql: """
                CREATE TABLE payouts.reconciliation_reports (
                    id text PRIMARY KEY,
                    started_at timestamptz NOT NULL,
                    finished_at timestamptz NOT NULL,
                    examined integer NOT NULL,
                    matched integer NOT NULL,
                    fixed integer NOT NULL,
                    amount_mismatches jsonb NOT NULL,
                    unknown_at_provider jsonb NOT NULL,
                    errors jsonb NOT NULL,
                    fixes jsonb NOT NULL
                );
                CREATE TABLE payouts.provider_balances (
                    connector_id text NOT NULL,
                    tenant_id text NOT NULL,
                    currency text NOT NULL,
                    available bigint NOT NULL,
                    queued bigint NOT NULL,
                    recorded_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (connector_id, currency)
                );
                """),
        AuditSchema.migration(version: 9, schema: "payouts"),
        // Row-level security, as in payments: `app.tenant_id` per transaction, `app.scope = 'platform'`
        // for the loops that work across tenants (workers, reconciliation, snapshots).
        Migration(
            version: 10, name: "row_level_security",
            sql: """
                DO $$
                DECLARE t text;
                BEGIN
                    FOREACH t IN ARRAY ARRAY['tenants', 'connectors', 'api_keys', 'idempotency_keys', 'payees', 'balances', 'balance_entries',
                                             'payout_batches', 'payouts', 'first_runs', 'force_resolutions', 'provider_balances', 'audit_log']
                    LOOP
                        EXECUTE format('ALTER TABLE payouts.%I ENABLE ROW LEVEL SECURITY', t);
                        EXECUTE format('ALTER TABLE payouts.%I FORCE ROW LEVEL SECURITY', t);
                        EXECUTE format($p$CREATE POLICY tenant_isolation ON payouts.%I
                            USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')
                            WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')$p$, t);
                    END LOOP;
                END;
                $$;
                ALTER TABLE payouts.audit_chain_heads ENABLE ROW LEVEL SECURITY;
                ALTER TABLE payouts.audit_chain_heads FORCE ROW LEVEL SECURITY;
                CREATE POLICY platform_only ON payouts.audit_chain_heads
                    USING (current_setting('app.scope', true) = 'platform')
                    WITH CHECK (current_setting('app.scope', true) = 'platform');
                """),
        // Mode is part of every money object's identity (issue 9): each balance and journal entry carries
        // its payee's mode (a payee has one), and a change of the other mode is refused. Money payments
        // finds credited across modes before this (`payee.livemode_conflict`) holds the payee's balance in
        // that currency until two operators reverse it (`balance_holds`).
        Migration(
            version: 11, name: "livemode_balances_and_holds",
            sql: """
                -- Row-level security binds the owner too (FORCE): the backfill below works across tenants.
                SELECT set_config('app.scope', 'platform', true);
                ALTER TABLE payouts.balances ADD COLUMN livemode boolean;
                ALTER TABLE payouts.balance_entries ADD COLUMN livemode boolean;
                UPDATE payouts.balances b SET livemode = e.livemode FROM payouts.payees e WHERE e.id = b.payee_id AND e.tenant_id = b.tenant_id;
                UPDATE payouts.balance_entries b SET livemode = e.livemode FROM payouts.payees e WHERE e.id = b.payee_id AND e.tenant_id = b.tenant_id;
                ALTER TABLE payouts.balances ADD CONSTRAINT balances_mode_known CHECK (livemode IS NOT NULL) NOT VALID;
                ALTER TABLE payouts.balance_entries ADD CONSTRAINT balance_entries_mode_known CHECK (livemode IS NOT NULL) NOT VALID;
                CREATE TABLE payouts.balance_holds (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    payee_id text NOT NULL,
                    livemode boolean NOT NULL,
                    currency text NOT NULL,
                    reason text NOT NULL CHECK (reason IN ('livemode_conflict')),
                    -- What crossed modes: the amount and the payments, refunds and disputes it came from.
                    conflict_id text NOT NULL UNIQUE,
                    source_livemode boolean NOT NULL,
                    amount bigint NOT NULL,
                    source_ids text[] NOT NULL,
                    status text NOT NULL CHECK (status IN ('held', 'reversal_requested', 'reversed')),
                    requested_by text,
                    requested_reason text,
                    requested_at timestamptz,
                    reversed_by text,
                    reversed_at timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX balance_holds_open ON payouts.balance_holds (tenant_id, payee_id, currency) WHERE status <> 'reversed';
                ALTER TABLE payouts.balance_holds ENABLE ROW LEVEL SECURITY;
                ALTER TABLE payouts.balance_holds FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON payouts.balance_holds
                    USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')
                    WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform');
                """),
        // A payout pins where its money goes when it is created (issue 9): the destination is copied,
        // sealed, onto the payout, and the worker pays that copy — an approval approves a destination, and
        // a payee's later change cannot redirect it. A changed destination puts the payee back through
        // the cooling period and the destination check and re-pins its open payouts, held for re-approval.
        Migration(
            version: 12, name: "payouts_pin_their_destination",
            sql: """
                SELECT set_config('app.scope', 'platform', true);
                ALTER TABLE payouts.payouts ADD COLUMN destination_kind text, ADD COLUMN destination_sealed text,
                    ADD COLUMN destination_last4 text, ADD COLUMN destination_fingerprint text;
                UPDATE payouts.payouts o SET destination_kind = e.destination_kind, destination_sealed = e.destination_sealed,
                    destination_last4 = e.destination_last4, destination_fingerprint = e.destination_fingerprint
                FROM payouts.payees e WHERE e.id = o.payee_id AND e.tenant_id = o.tenant_id;
                ALTER TABLE payouts.payouts ADD CONSTRAINT payouts_destination_pinned CHECK (destination_sealed IS NOT NULL) NOT VALID;
                ALTER TABLE payouts.payees ADD COLUMN destination_changed_at timestamptz;
                CREATE INDEX payouts_open_by_payee ON payouts.payouts (tenant_id, payee_id)
                    WHERE status IN ('scheduled', 'pending_approval', 'held', 'queued');
                """),
        // One operator cannot create live money (issue 9): a live credit above the threshold for its currency
        // is a request a second operator confirms.
        Migration(
            version: 13, name: "credit_requests",
            sql: """
                CREATE TABLE payouts.credit_requests (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    payee_id text NOT NULL,
                    amount bigint NOT NULL CHECK (amount > 0),
                    currency text NOT NULL,
                    reason text NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'applied')),
                    requested_by text NOT NULL,
                    approved_by text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    decided_at timestamptz
                );
                ALTER TABLE payouts.credit_requests ENABLE ROW LEVEL SECURITY;
                ALTER TABLE payouts.credit_requests FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON payouts.credit_requests
                    USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')
                    WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform');
                """),
        // Cross-tenant work is a database role, not a setting (issue 9): any SQL could set `app.scope`,
        // only a member can switch to `coffer_platform`, and the runtime role does not inherit it.
        Migration(version: 14, name: "platform_scope_is_a_role", sql: PlatformRole.migrationSQL(schema: "payouts")),
        // Who changed a payee's destination (its re-pinned payouts are approved by someone else), and the
        // second operator's reason for reversing a held balance (it was asked for and then dropped).
        Migration(
            version: 15, name: "destination_changer_and_reversal_reason",
            sql: """
                ALTER TABLE payouts.payees ADD COLUMN destination_changed_by text;
                ALTER TABLE payouts.balance_holds ADD COLUMN reversed_reason text;
                """),
    ]
}
