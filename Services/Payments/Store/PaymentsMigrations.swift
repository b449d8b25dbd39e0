import Platform
import Postgres

/// The payments schema, in order. Never edit an applied migration: add a new one.
enum PaymentsMigrations {
    static let all: [Migration] = [
        OutboxSchema.inboxMigration(version: 1, schema: "payments"),
        OutboxSchema.outboxMigration(version: 2, schema: "payments"),
        JobScheduler.migration(version: 3, schema: "payments"),
        Migration(
            version: 4, name: "create_tenancy",
            sql: """
                CREATE TABLE payments.tenants (
                    id text PRIMARY KEY,
                    tenant_id text GENERATED ALWAYS AS (id) STORED,
                    name text NOT NULL,
                    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
                    settings jsonb NOT NULL,
                    version bigint NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE payments.api_keys (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL REFERENCES payments.tenants (id),
                    key_hash text NOT NULL UNIQUE,
                    prefix text NOT NULL,
                    role text NOT NULL CHECK (role IN ('full', 'approver', 'read_only')),
                    mode text NOT NULL CHECK (mode IN ('test', 'live')),
                    created_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    revoked_at timestamptz
                );
                CREATE INDEX api_keys_by_tenant ON payments.api_keys (tenant_id, created_at DESC);
                CREATE TABLE payments.connectors (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL REFERENCES payments.tenants (id),
                    provider text NOT NULL,
                    mode text NOT NULL CHECK (mode IN ('test', 'live')),
                    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
                    priority integer NOT NULL DEFAULT 1,
                    sealed_secrets jsonb NOT NULL DEFAULT '{}',
                    previous_secret_expires_at timestamptz,
                    webhook_id text,
                    certificates text[],
                    salt_index integer,
                    api_base_url text,
                    version bigint NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (tenant_id, provider, mode)
                );
                """),
        // Money tables carry tenant_id without a foreign key to tenants: every insert would take a
        // shared lock on the one tenant row, and concurrent payments of a tenant would pile those into
        // multixacts on a hot row. Tenants are never deleted (they are suspended), and row-level
        // security already ties each row to its tenant.
        Migration(
            version: 5, name: "create_payments_refunds",
            sql: """
                CREATE TABLE payments.payments (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    livemode boolean NOT NULL,
                    amount bigint NOT NULL CHECK (amount > 0),
                    currency text NOT NULL,
                    amount_capturable bigint NOT NULL DEFAULT 0,
                    amount_captured bigint NOT NULL DEFAULT 0,
                    amount_refunded bigint NOT NULL DEFAULT 0,
                    amount_refund_reserved bigint NOT NULL DEFAULT 0,
                    status text NOT NULL CHECK (status IN ('requires_action', 'processing', 'authorized', 'capturing', 'captured',
                        'partially_refunded', 'refunded', 'failed', 'canceled')),
                    capture_method text NOT NULL CHECK (capture_method IN ('automatic', 'manual')),
                    provider text,
                    connector_id text,
                    provider_payment_id text,
                    customer jsonb,
                    payee_id text,
                    description text,
                    metadata jsonb NOT NULL DEFAULT '{}',
                    next_action jsonb,
                    -- What the provider was asked with, so a retry after a crash sends the very same request
                    -- (providers compare a replayed idempotency key's parameters).
                    payment_method text,
                    return_url text,
                    -- A partial capture's amount while it is in flight (a resumed capture asks for the same).
                    capture_requested bigint,
                    -- An automatic-capture payment the provider only authorized (PayPal after approval): the
                    -- capture worker captures it from this time on (a lease while it does).
                    auto_capture_at timestamptz,
                    -- The fee split fixed at capture (refunds take back the payee's share of it, not of today's fees).
                    platform_fee bigint,
                    provider_fee bigint,
                    referral_bounty bigint,
                    recruiter_payee_id text,
                    payee_net bigint,
                    payee_refunded bigint NOT NULL DEFAULT 0,
                    failure_code text,
                    failure_message text,
                    created_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    captured_at timestamptz,
                    -- Refunds reserve their amount when created: the database itself refuses to refund more
                    -- than was captured, however many refund requests race.
                    CHECK (amount_refunded >= 0 AND amount_refund_reserved >= 0),
                    CHECK (amount_refunded + amount_refund_reserved <= amount_captured),
                    CHECK (amount_captured <= amount)
                );
                CREATE INDEX payments_by_tenant ON payments.payments (tenant_id, id DESC);
                -- The resolver's work list: payments whose outcome the provider has not told us yet.
                CREATE INDEX payments_unsettled ON payments.payments (updated_at)
                    WHERE status IN ('processing', 'requires_action', 'capturing');
                CREATE INDEX payments_auto_capture ON payments.payments (auto_capture_at) WHERE auto_capture_at IS NOT NULL;
                CREATE UNIQUE INDEX payments_by_provider_id ON payments.payments (connector_id, provider_payment_id)
                    WHERE provider_payment_id IS NOT NULL;
                CREATE TABLE payments.refunds (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    payment_id text NOT NULL REFERENCES payments.payments (id),
                    amount bigint NOT NULL CHECK (amount > 0),
                    currency text NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending_approval', 'pending', 'succeeded', 'failed', 'canceled')),
                    reason text,
                    metadata jsonb NOT NULL DEFAULT '{}',
                    provider_refund_id text,
                    failure_code text,
                    failure_message text,
                    created_by text NOT NULL,
                    approved_by text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX refunds_by_tenant ON payments.refunds (tenant_id, id DESC);
                CREATE INDEX refunds_by_payment ON payments.refunds (payment_id);
                CREATE INDEX refunds_unsettled ON payments.refunds (updated_at) WHERE status = 'pending';
                CREATE UNIQUE INDEX refunds_by_provider_id ON payments.refunds (payment_id, provider_refund_id)
                    WHERE provider_refund_id IS NOT NULL;
                CREATE TABLE payments.fulfillments (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    payment_id text NOT NULL UNIQUE REFERENCES payments.payments (id),
                    status text NOT NULL CHECK (status IN ('fulfilled', 'revoked')),
                    created_at timestamptz NOT NULL DEFAULT now(),
                    revoked_at timestamptz
                );
                CREATE TABLE payments.disputes (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    payment_id text NOT NULL REFERENCES payments.payments (id),
                    provider_dispute_id text NOT NULL,
                    amount bigint NOT NULL,
                    currency text NOT NULL,
                    status text NOT NULL,
                    reason text,
                    held_from_payee bigint NOT NULL DEFAULT 0,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (payment_id, provider_dispute_id)
                );
                CREATE TABLE payments.provider_events_awaiting (
                    event_id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    type text NOT NULL,
                    data jsonb NOT NULL,
                    reason text NOT NULL,
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    created_at timestamptz NOT NULL DEFAULT now(),
                    resolved_at timestamptz
                );
                CREATE INDEX provider_events_awaiting_due ON payments.provider_events_awaiting (next_attempt_at) WHERE resolved_at IS NULL;
                CREATE TABLE payments.unmatched_provider_events (
                    event_id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    type text NOT NULL,
                    data jsonb NOT NULL,
                    reason text NOT NULL,
                    received_at timestamptz NOT NULL DEFAULT now()
                );
                """),
        Migration(
            version: 6, name: "create_idempotency",
            sql: """
                CREATE TABLE payments.idempotency_keys (
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
                CREATE INDEX idempotency_keys_expiry ON payments.idempotency_keys (expires_at);
                """),
        Migration(
            version: 7, name: "create_ledger",
            sql: """
                -- No foreign key to tenants, as for payments (migration 5).
                CREATE TABLE payments.ledger_transactions (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    kind text NOT NULL,
                    reference text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (tenant_id, kind, reference)
                );
                CREATE TABLE payments.ledger_entries (
                    id bigserial PRIMARY KEY,
                    transaction_id text NOT NULL REFERENCES payments.ledger_transactions (id),
                    tenant_id text NOT NULL,
                    account text NOT NULL,
                    currency text NOT NULL,
                    amount bigint NOT NULL CHECK (amount <> 0),
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX ledger_entries_by_account ON payments.ledger_entries (tenant_id, account, currency);
                CREATE INDEX ledger_entries_by_transaction ON payments.ledger_entries (transaction_id);
                -- Debits are positive, credits negative: every transaction must sum to zero per currency.
                -- Checked at commit (deferred), so a transaction's entries can be inserted one by one.
                CREATE FUNCTION payments.ledger_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (
                        SELECT 1 FROM payments.ledger_entries
                        WHERE transaction_id = NEW.transaction_id
                        GROUP BY currency HAVING sum(amount) <> 0
                    ) THEN
                        RAISE EXCEPTION 'ledger transaction % is not balanced', NEW.transaction_id
                            USING ERRCODE = '23514';
                    END IF;
                    RETURN NULL;
                END;
                $$;
                CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON payments.ledger_entries
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments.ledger_balanced();
                -- The journal is append-only: corrections are new transactions.
                CREATE FUNCTION payments.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the ledger is append-only' USING ERRCODE = '42501';
                END;
                $$;
                CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON payments.ledger_entries
                    FOR EACH ROW EXECUTE FUNCTION payments.ledger_append_only();
                CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON payments.ledger_transactions
                    FOR EACH ROW EXECUTE FUNCTION payments.ledger_append_only();
                CREATE TABLE payments.payees (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    recruiter_payee_id text,
                    status text NOT NULL,
                    version bigint NOT NULL
                );
                """),
        // Row-level security is the second lock behind every query's tenant filter (DESIGN.md).
        // `app.tenant_id` is set per transaction; `app.scope = 'platform'` is set only by operator and
        // internal cross-tenant work (snapshots, key lookup by hash, background loops across tenants).
        Migration(
            version: 8, name: "row_level_security",
            sql: """
                DO $$
                DECLARE t text;
                BEGIN
                    FOREACH t IN ARRAY ARRAY['tenants', 'api_keys', 'connectors', 'payments', 'refunds', 'fulfillments',
                                             'disputes', 'provider_events_awaiting', 'unmatched_provider_events', 'idempotency_keys',
                                             'ledger_transactions', 'ledger_entries', 'payees']
                    LOOP
                        EXECUTE format('ALTER TABLE payments.%I ENABLE ROW LEVEL SECURITY', t);
                        EXECUTE format('ALTER TABLE payments.%I FORCE ROW LEVEL SECURITY', t);
                        EXECUTE format($p$CREATE POLICY tenant_isolation ON payments.%I
                            USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')
                            WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')$p$, t);
                    END LOOP;
                END;
                $$;
                """),
        AuditSchema.migration(version: 9, schema: "payments"),
        // The audit trail is tenant-owned too: a tenant's key reads only its own entries; the sealer and
        // verifier walk every chain in platform scope.
        Migration(
            version: 10, name: "audit_row_level_security",
            sql: """
                ALTER TABLE payments.audit_log ENABLE ROW LEVEL SECURITY;
                ALTER TABLE payments.audit_log FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON payments.audit_log
                    USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')
                    WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform');
                ALTER TABLE payments.audit_chain_heads ENABLE ROW LEVEL SECURITY;
                ALTER TABLE payments.audit_chain_heads FORCE ROW LEVEL SECURITY;
                CREATE POLICY platform_only ON payments.audit_chain_heads
                    USING (current_setting('app.scope', true) = 'platform')
                    WITH CHECK (current_setting('app.scope', true) = 'platform');
                """),
        // A poison item (a payment or refund whose background processing fails every time) is parked
        // with its error after a bounded number of attempts, so it neither loops forever nor holds up
        // the rest; an operator sees it (`GET /admin/parked`) and sends it back (`…/retry`).
        Migration(
            version: 11, name: "park_poison_items",
            sql: """
                ALTER TABLE payments.payments ADD COLUMN background_attempts integer NOT NULL DEFAULT 0,
                    ADD COLUMN parked_at timestamptz, ADD COLUMN parked_reason text;
                ALTER TABLE payments.refunds ADD COLUMN background_attempts integer NOT NULL DEFAULT 0,
                    ADD COLUMN parked_at timestamptz, ADD COLUMN parked_reason text;
                DROP INDEX payments.payments_unsettled;
                CREATE INDEX payments_unsettled ON payments.payments (updated_at)
                    WHERE status IN ('processing', 'requires_action', 'capturing') AND parked_at IS NULL;
                DROP INDEX payments.refunds_unsettled;
                CREATE INDEX refunds_unsettled ON payments.refunds (updated_at) WHERE status = 'pending' AND parked_at IS NULL;
                DROP INDEX payments.payments_auto_capture;
                CREATE INDEX payments_auto_capture ON payments.payments (auto_capture_at) WHERE auto_capture_at IS NOT NULL AND parked_at IS NULL;
                CREATE INDEX payments_parked ON payments.payments (parked_at) WHERE parked_at IS NOT NULL;
                CREATE INDEX refunds_parked ON payments.refunds (parked_at) WHERE parked_at IS NOT NULL;
                """),
        // Mode is part of every money object's identity (issue 9): a payee has one mode and only payments
        // of that mode pay it; the ledger is partitioned by mode. Existing rows take their mode from their
        // payment (captures, refunds, disputes); payees learn theirs from payouts (payee.upserted and its
        // snapshot), and the ledger transactions that can only know it through a payee (payouts,
        // adjustments) are filled in then (`LivemodeBackfill`). Nothing here moves money: money of one mode
        // found credited to a payee of the other is recorded as a conflict, held by payouts, and released
        // only by a reversal two operators approve.
        Migration(
            version: 12, name: "livemode_everywhere",
            sql: """
                -- Row-level security binds the owner too (FORCE): the backfill below works across tenants.
                SELECT set_config('app.scope', 'platform', true);
                ALTER TABLE payments.payees ADD COLUMN livemode boolean;
                ALTER TABLE payments.ledger_transactions ADD COLUMN livemode boolean;
                ALTER TABLE payments.ledger_entries ADD COLUMN livemode boolean;
                ALTER TABLE payments.ledger_transactions DISABLE TRIGGER ledger_transactions_append_only;
                ALTER TABLE payments.ledger_entries DISABLE TRIGGER ledger_entries_append_only;
                UPDATE payments.ledger_transactions t SET livemode = p.livemode FROM payments.payments p
                    WHERE t.kind = 'capture' AND t.reference = p.id;
                UPDATE payments.ledger_transactions t SET livemode = p.livemode FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id
                    WHERE t.kind = 'refund' AND t.reference = r.id;
                UPDATE payments.ledger_transactions t SET livemode = p.livemode FROM payments.disputes d JOIN payments.payments p ON p.id = d.payment_id
                    WHERE t.kind = 'dispute_hold' AND t.reference = d.id;
                UPDATE payments.ledger_entries e SET livemode = t.livemode FROM payments.ledger_transactions t
                    WHERE e.transaction_id = t.id AND t.livemode IS NOT NULL;
                ALTER TABLE payments.ledger_transactions ENABLE TRIGGER ledger_transactions_append_only;
                ALTER TABLE payments.ledger_entries ENABLE TRIGGER ledger_entries_append_only;
                -- The journal stays append-only; the one change allowed is giving a row written before modes
                -- existed its mode, once.
                CREATE OR REPLACE FUNCTION payments.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' AND OLD.livemode IS NULL AND NEW.livemode IS NOT NULL
                       AND (to_jsonb(NEW) - 'livemode') = (to_jsonb(OLD) - 'livemode') THEN
                        RETURN NEW;
                    END IF;
                    RAISE EXCEPTION 'the ledger is append-only' USING ERRCODE = '42501';
                END;
                $$;
                -- Every entry is in its transaction's mode.
                CREATE FUNCTION payments.ledger_entry_mode() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.livemode IS DISTINCT FROM (SELECT livemode FROM payments.ledger_transactions WHERE id = NEW.transaction_id) THEN
                        RAISE EXCEPTION 'ledger entry % is not in its transaction''s mode', NEW.id USING ERRCODE = '23514';
                    END IF;
                    RETURN NEW;
                END;
                $$;
                CREATE TRIGGER ledger_entries_mode BEFORE INSERT ON payments.ledger_entries
                    FOR EACH ROW EXECUTE FUNCTION payments.ledger_entry_mode();
                -- New rows always carry their mode (NOT VALID: rows from before are filled in by the backfill).
                ALTER TABLE payments.ledger_transactions ADD CONSTRAINT ledger_transactions_mode_known CHECK (livemode IS NOT NULL) NOT VALID;
                ALTER TABLE payments.ledger_entries ADD CONSTRAINT ledger_entries_mode_known CHECK (livemode IS NOT NULL) NOT VALID;
                CREATE INDEX ledger_entries_by_mode_account ON payments.ledger_entries (tenant_id, livemode, account, currency);
                CREATE INDEX payments_by_payee ON payments.payments (payee_id) WHERE payee_id IS NOT NULL;
                -- Money of one mode credited to a payee of the other, found in rows written before modes were checked.
                CREATE TABLE payments.livemode_conflicts (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    payment_id text NOT NULL,
                    payee_id text NOT NULL,
                    role text NOT NULL CHECK (role IN ('payee', 'recruiter')),
                    payment_livemode boolean NOT NULL,
                    payee_livemode boolean NOT NULL,
                    currency text NOT NULL,
                    amount bigint NOT NULL,
                    source_ids text[] NOT NULL,
                    detected_at timestamptz NOT NULL DEFAULT now(),
                    resolved_at timestamptz,
                    UNIQUE (payment_id, payee_id, role)
                );
                ALTER TABLE payments.livemode_conflicts ENABLE ROW LEVEL SECURITY;
                ALTER TABLE payments.livemode_conflicts FORCE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON payments.livemode_conflicts
                    USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')
                    WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform');
                -- Events still waiting to reach payouts learn the mode of the money they move (their payment's).
                UPDATE payments.outbox o SET payload = jsonb_set(o.payload::jsonb, '{data,livemode}', to_jsonb(p.livemode))::text
                    FROM payments.payments p
                    WHERE o.status IN ('pending', 'dead') AND o.event_type IN ('payee.credited', 'payee.debited')
                      AND p.id = o.payload::jsonb #>> '{data,payment_id}';
                """),
        // Changes that loosen a control wait for a second key or an operator (issue 9): a settings change
        // that raises a limit, and replacing a live connector's credentials, are recorded here pending
        // approval (24 hours) with exactly what was asked; approving applies that, and only if nothing
        // changed in between.
        Migration(
            version: 13, name: "maker_checker_changes",
            sql: """
                CREATE TABLE payments.settings_changes (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    before jsonb NOT NULL,
                    after jsonb NOT NULL,
                    loosened text[] NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending_approval', 'applied', 'canceled')),
                    requested_by text NOT NULL,
                    decided_by text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL,
                    decided_at timestamptz
                );
                CREATE INDEX settings_changes_by_tenant ON payments.settings_changes (tenant_id, created_at DESC);
                CREATE TABLE payments.connector_changes (
                    id text PRIMARY KEY,
                    tenant_id text NOT NULL,
                    connector_id text NOT NULL,
                    provider text NOT NULL,
                    -- The request as sent (it holds the new secrets), sealed under COFFER_MASTER_KEY.
                    request_sealed text NOT NULL,
                    connector_version bigint NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending_approval', 'applied', 'canceled')),
                    requested_by text NOT NULL,
                    decided_by text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL,
                    decided_at timestamptz
                );
                CREATE INDEX connector_changes_by_tenant ON payments.connector_changes (tenant_id, created_at DESC);
                DO $$
                DECLARE t text;
                BEGIN
                    FOREACH t IN ARRAY ARRAY['settings_changes', 'connector_changes']
                    LOOP
                        EXECUTE format('ALTER TABLE payments.%I ENABLE ROW LEVEL SECURITY', t);
                        EXECUTE format('ALTER TABLE payments.%I FORCE ROW LEVEL SECURITY', t);
                        EXECUTE format($p$CREATE POLICY tenant_isolation ON payments.%I
                            USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')
                            WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform')$p$, t);
                    END LOOP;
                END;
                $$;
                """),
        // Cross-tenant work is a database role, not a setting (issue 9): any SQL could set `app.scope`,
        // only a member can switch to `coffer_platform`, and the runtime role does not inherit it.
        Migration(version: 14, name: "platform_scope_is_a_role", sql: PlatformRole.migrationSQL(schema: "payments")),
    ]
}
