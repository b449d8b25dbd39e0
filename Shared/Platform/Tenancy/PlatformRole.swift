import Postgres

/// Cross-tenant work (operator routes, snapshots, key lookup by hash, loops over every tenant) runs as
/// the database role `coffer_platform`, switched to for one transaction (`SET LOCAL ROLE`), instead of a
/// setting any SQL could set. Row-level security lets that role, and only it, see every tenant's rows;
/// the runtime role is a member without inheriting its privileges (`NOINHERIT`), so its own queries
/// stay bound to `app.tenant_id`. Membership is a database grant an operator can see, audit and revoke.
///
/// Set-up, once per cluster, as a superuser (scripts/postgres.sh and compose/init-roles.sh do it):
/// `CREATE ROLE coffer_platform NOLOGIN; GRANT coffer_platform TO coffer_app; ALTER ROLE coffer_app NOINHERIT;`
public enum PlatformRole {
    public static let name = "coffer_platform"

    /// The set-up statements, for error messages and the README.
    public static func setupSQL(runtimeRole: String) -> String {
        let role = PostgresQuery.quoteIdentifier(runtimeRole)
        return "CREATE ROLE \(name) NOLOGIN; GRANT \(name) TO \(role); ALTER ROLE \(role) NOINHERIT;"
    }

    /// Row-level security for one tenant-owned table: its tenant's rows under `app.tenant_id`, every row
    /// to the platform role. For migrations that create tables.
    public static func policies(schema: String, table: String) -> String {
        """
        ALTER TABLE \(schema).\(table) ENABLE ROW LEVEL SECURITY;
        ALTER TABLE \(schema).\(table) FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON \(schema).\(table)
            USING (tenant_id = current_setting('app.tenant_id', true))
            WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
        CREATE POLICY platform_scope ON \(schema).\(table) TO \(name) USING (true) WITH CHECK (true);
        """
    }

    /// Moves a schema's policies from the `app.scope = 'platform'` setting to the role: every
    /// `tenant_isolation` policy keeps only its tenant condition, every `platform_only` policy goes,
    /// and each of those tables gets `platform_scope` for the role. Refuses, saying what to run, when the
    /// role does not exist.
    public static func migrationSQL(schema: String) -> String {
        """
        DO $$
        DECLARE
            r record;
            found text[];
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(name)') THEN
                RAISE EXCEPTION 'the database role \(name) does not exist'
                    USING HINT = 'As a superuser: CREATE ROLE \(name) NOLOGIN; GRANT \(name) TO <runtime role>; ALTER ROLE <runtime role> NOINHERIT;';
            END IF;
            SELECT array_agg(tablename || ':' || policyname ORDER BY tablename, policyname) INTO found
            FROM pg_policies WHERE schemaname = '\(schema)' AND policyname IN ('tenant_isolation', 'platform_only');
            FOR r IN SELECT split_part(entry, ':', 1) AS tbl, split_part(entry, ':', 2) AS policy FROM unnest(coalesce(found, '{}')) entry
            LOOP
                EXECUTE format('DROP POLICY %I ON \(schema).%I', r.policy, r.tbl);
                IF r.policy = 'tenant_isolation' THEN
                    EXECUTE format($p$CREATE POLICY tenant_isolation ON \(schema).%I
                        USING (tenant_id = current_setting('app.tenant_id', true))
                        WITH CHECK (tenant_id = current_setting('app.tenant_id', true))$p$, r.tbl);
                END IF;
                EXECUTE format('CREATE POLICY platform_scope ON \(schema).%I TO \(name) USING (true) WITH CHECK (true)', r.tbl);
            END LOOP;
        END;
        $$;
        """
    }
}
