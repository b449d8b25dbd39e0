import Postgres

/// The audit trail's tables, created in the owning service's schema. The SQL is part of a migration's
/// checksum: never edit it here; change the tables in a new migration instead.
///
/// `audit_log` is append-only in the database itself, so an application bug cannot rewrite history:
/// a trigger refuses DELETE and TRUNCATE, refuses inserting rows already sealed, and allows an UPDATE
/// only when it sets the four sealing columns (`chain_seq`, `prev_hash`, `hash`, `sealed_at`) from
/// NULL to values, leaving every other column as it was. Only a role with the owner's rights can get
/// past it (by disabling the trigger), and then `AuditVerifier` sees the broken chain.
///
/// `audit_chain_heads` keeps each chain's last position and hash (`tenant_key` is the tenant id, or
/// `platform` for actions with no tenant); its own trigger only lets a head move forward.
///
/// No row-level security here: the sealer and the verifier work across tenants. Tenants read their
/// rows only through `AuditQueries`, which always filters on `tenant_id`.
public enum AuditSchema {
    /// The SQLSTATE the append-only triggers raise (insufficient_privilege: the role may not do this).
    public static let appendOnlyViolation = "42501"

    public static func migration(version: Int, schema: String) -> Migration {
        Migration(
            version: version, name: "create_audit_log",
            sql: """
                CREATE TABLE \(schema).audit_log (
                    id bigserial PRIMARY KEY,
                    tenant_id text CHECK (tenant_id <> '\(AuditChain.platformKey)'),
                    -- One chain per tenant, and one for platform actions (no tenant): NULLs would not share a chain.
                    tenant_key text NOT NULL GENERATED ALWAYS AS (coalesce(tenant_id, '\(AuditChain.platformKey)')) STORED,
                    actor text NOT NULL,
                    action text NOT NULL,
                    object_type text NOT NULL,
                    object_id text NOT NULL,
                    before jsonb,
                    after jsonb,
                    correlation_id text,
                    occurred_at timestamptz NOT NULL DEFAULT now(),
                    chain_seq bigint,
                    prev_hash text,
                    hash text,
                    sealed_at timestamptz,
                    CHECK ((chain_seq IS NULL AND prev_hash IS NULL AND hash IS NULL AND sealed_at IS NULL)
                        OR (chain_seq >= 1 AND prev_hash IS NOT NULL AND hash IS NOT NULL AND sealed_at IS NOT NULL))
                );
                -- unique (tenant, chain_seq), with the platform chain counted as one tenant; also the verifier's walk.
                CREATE UNIQUE INDEX audit_log_chain ON \(schema).audit_log (tenant_key, chain_seq);
                CREATE INDEX audit_log_unsealed ON \(schema).audit_log (id) WHERE chain_seq IS NULL;
                CREATE INDEX audit_log_tenant ON \(schema).audit_log (tenant_id, id);

                CREATE TABLE \(schema).audit_chain_heads (
                    tenant_key text PRIMARY KEY,
                    chain_seq bigint NOT NULL CHECK (chain_seq >= 0),
                    hash text NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );

                CREATE FUNCTION \(schema).audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
                BEGIN
                    IF TG_OP = 'TRUNCATE' OR TG_OP = 'DELETE' THEN
                        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF TG_OP = 'INSERT' THEN
                        IF NEW.chain_seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL OR NEW.sealed_at IS NOT NULL THEN
                            RAISE EXCEPTION 'audit_log rows are inserted unsealed; the sealer seals them'
                                USING ERRCODE = 'insufficient_privilege';
                        END IF;
                        RETURN NEW;
                    END IF;
                    IF OLD.chain_seq IS NOT NULL OR OLD.prev_hash IS NOT NULL OR OLD.hash IS NOT NULL OR OLD.sealed_at IS NOT NULL THEN
                        RAISE EXCEPTION 'audit_log is append-only: row % is sealed', OLD.id
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
                        OR NEW.actor IS DISTINCT FROM OLD.actor OR NEW.action IS DISTINCT FROM OLD.action
                        OR NEW.object_type IS DISTINCT FROM OLD.object_type OR NEW.object_id IS DISTINCT FROM OLD.object_id
                        OR NEW.before IS DISTINCT FROM OLD.before OR NEW.after IS DISTINCT FROM OLD.after
                        OR NEW.correlation_id IS DISTINCT FROM OLD.correlation_id OR NEW.occurred_at IS DISTINCT FROM OLD.occurred_at THEN
                        RAISE EXCEPTION 'audit_log is append-only: only the sealing columns of row % may be set', OLD.id
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF NEW.chain_seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL OR NEW.sealed_at IS NULL THEN
                        RAISE EXCEPTION 'audit_log: sealing row % must set chain_seq, prev_hash, hash and sealed_at together', OLD.id
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    RETURN NEW;
                END
                $guard$;
                CREATE TRIGGER audit_log_append_only BEFORE INSERT OR UPDATE OR DELETE ON \(schema).audit_log
                    FOR EACH ROW EXECUTE FUNCTION \(schema).audit_log_guard();
                CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON \(schema).audit_log
                    FOR EACH STATEMENT EXECUTE FUNCTION \(schema).audit_log_guard();

                CREATE FUNCTION \(schema).audit_chain_heads_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
                BEGIN
                    IF TG_OP = 'TRUNCATE' OR TG_OP = 'DELETE' THEN
                        RAISE EXCEPTION 'audit_chain_heads: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF NEW.tenant_key IS DISTINCT FROM OLD.tenant_key OR NEW.chain_seq <= OLD.chain_seq THEN
                        RAISE EXCEPTION 'audit_chain_heads: the head of % may only move forward', OLD.tenant_key
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    RETURN NEW;
                END
                $guard$;
                CREATE TRIGGER audit_chain_heads_forward_only BEFORE UPDATE OR DELETE ON \(schema).audit_chain_heads
                    FOR EACH ROW EXECUTE FUNCTION \(schema).audit_chain_heads_guard();
                CREATE TRIGGER audit_chain_heads_no_truncate BEFORE TRUNCATE ON \(schema).audit_chain_heads
                    FOR EACH STATEMENT EXECUTE FUNCTION \(schema).audit_chain_heads_guard();
                """)
    }
}
