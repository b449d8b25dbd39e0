import Postgres
import TestSupport
import XCTest

final class MigratorTests: PostgresTestCase {
    let migrations = [
        Migration(
            version: 1, name: "create_payments",
            sql: """
                CREATE TABLE payments (
                    id bigserial PRIMARY KEY,
                    tenant_id text NOT NULL,
                    amount bigint NOT NULL
                );
                CREATE INDEX payments_tenant ON payments (tenant_id);
                """),
        Migration(
            version: 2, name: "add_currency",
            sql: "ALTER TABLE payments ADD COLUMN currency text NOT NULL DEFAULT 'USD';"),
        Migration(
            version: 3, name: "payment_total",
            sql: """
                CREATE FUNCTION payment_total(tenant text) RETURNS bigint LANGUAGE sql STABLE
                SET search_path = payments, pg_temp
                AS $$ SELECT coalesce(sum(amount), 0)::bigint FROM payments WHERE tenant_id = tenant $$;
                """),
    ]

    func migrator(_ pool: PostgresPool, _ migrations: [Migration]? = nil) -> Migrator {
        Migrator(
            pool: pool, schema: "payments", migrations: migrations ?? self.migrations, logger: TestEnvironment.logger())
    }

    func testAppliesInOrderAndSecondRunIsANoOp() async throws {
        let pool = makePool()
        let first = try await migrator(pool).migrate()
        XCTAssertEqual(first, [1, 2, 3])
        let second = try await migrator(pool).migrate()
        XCTAssertEqual(second, [])
        let rows = try await pool.query(
            "SELECT version, name, checksum, applied_at, duration_ms FROM payments.schema_migrations ORDER BY version")
        XCTAssertEqual(rows.count, 3)
        for (row, migration) in zip(rows, migrations) {
            let (version, name, checksum, appliedAt, duration) = try row.decode((Int, String, String, Date, Int64).self)
            XCTAssertEqual(version, migration.version)
            XCTAssertEqual(name, migration.name)
            XCTAssertEqual(checksum, migration.checksum)
            XCTAssertEqual(checksum.count, 64)
            XCTAssertLessThan(abs(appliedAt.timeIntervalSinceNow), 60)
            XCTAssertGreaterThanOrEqual(duration, 0)
        }
        // Unqualified names in migrations landed in the schema.
        try await pool.execute("INSERT INTO payments.payments (tenant_id, amount) VALUES ('ten_1', 1050)")
        let total = try await scalar(pool, "SELECT payments.payment_total('ten_1')")
        XCTAssertEqual(total, 1050)
        let pending = try await migrator(pool).pendingVersions()
        XCTAssertEqual(pending, [])
    }

    func testLaterMigrationsApplyOnTopOfEarlierOnes() async throws {
        let pool = makePool()
        let first = try await migrator(pool, Array(migrations.prefix(1))).migrate()
        XCTAssertEqual(first, [1])
        let pending = try await migrator(pool).pendingVersions()
        XCTAssertEqual(pending, [2, 3])
        let rest = try await migrator(pool).migrate()
        XCTAssertEqual(rest, [2, 3])
    }

    func testChangedAppliedMigrationIsRefusedAndNothingIsApplied() async throws {
        let pool = makePool()
        _ = try await migrator(pool, Array(migrations.prefix(2))).migrate()
        var changed = migrations
        changed[1].sql = "ALTER TABLE payments ADD COLUMN currency text NOT NULL DEFAULT 'EUR';"
        do {
            _ = try await migrator(pool, changed).migrate()
            XCTFail("expected a checksum mismatch")
        } catch let error as MigrationError {
            XCTAssertEqual(error.kind, .checksumMismatch(version: 2, name: "add_currency"))
            XCTAssertTrue(error.description.contains("2"))
            XCTAssertTrue(error.description.contains("add_currency"))
            XCTAssertEqual(error.recordedChecksum, migrations[1].checksum)
        }
        let recorded = try await scalar(pool, "SELECT count(*) FROM payments.schema_migrations")
        XCTAssertEqual(recorded, 2)
        let function = try await scalar(
            pool, "SELECT count(*) FROM pg_proc WHERE proname = 'payment_total'")
        XCTAssertEqual(function, 0, "migration 3 must not have run")
    }

    func testFailedMigrationIsRolledBackAndReported() async throws {
        let pool = makePool()
        var broken = migrations
        broken[1].sql = "CREATE TABLE half_done (n int); ALTER TABLE no_such_table ADD COLUMN x int;"
        do {
            _ = try await migrator(pool, broken).migrate()
            XCTFail("expected the migration to fail")
        } catch let error as MigrationError {
            XCTAssertEqual(error.kind, .failed(version: 2, name: "add_currency"))
            XCTAssertEqual(error.underlying?.sqlState, "42P01")
            XCTAssertTrue(error.description.contains("add_currency"))
        }
        let recorded = try await pool.query("SELECT version FROM payments.schema_migrations")
        XCTAssertEqual(try recorded.map { try $0.decode(Int.self, at: 0) }, [1])
        let halfDone = try await scalar(pool, "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'")
        XCTAssertEqual(halfDone, 0)
        // The advisory lock was released: a fixed list applies at once.
        let applied = try await migrator(pool).migrate()
        XCTAssertEqual(applied, [2, 3])
    }

    func testRacingMigratorsApplyEachMigrationOnce() async throws {
        let slow = [
            Migration(version: 1, name: "slow_start", sql: "SELECT pg_sleep(0.2); CREATE TABLE counted (n int);"),
            Migration(version: 2, name: "count_runs", sql: "INSERT INTO counted VALUES (1);"),
            Migration(version: 3, name: "count_again", sql: "INSERT INTO counted VALUES (1);"),
        ]
        let pools = (0..<4).map { _ in makePool(poolSize: 1) }
        let migrators = pools.map { migrator($0, slow) }
        let results = try await withThrowingTaskGroup(of: [Int].self) { group in
            for migrator in migrators {
                group.addTask { try await migrator.migrate() }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        XCTAssertEqual(results.flatMap { $0 }.sorted(), [1, 2, 3])
        XCTAssertEqual(results.filter { !$0.isEmpty }.count, 1, "one migrator applied everything")
        let runs = try await scalar(pools[0], "SELECT count(*) FROM payments.counted")
        XCTAssertEqual(runs, 2)
        let recorded = try await scalar(pools[0], "SELECT count(*) FROM payments.schema_migrations")
        XCTAssertEqual(recorded, 3)
    }

    func testGrantsLetTheRuntimeRoleUseTheSchema() async throws {
        let owner = makePool()
        _ = try await migrator(owner).migrate(grantTo: database.appRole)
        let app = makePool(.app)
        let id = try await app.query(
            "INSERT INTO payments.payments (tenant_id, amount) VALUES ('ten_1', 500) RETURNING id")
        XCTAssertEqual(id.count, 1)
        let updated = try await app.execute("UPDATE payments.payments SET amount = 700 WHERE tenant_id = 'ten_1'")
        XCTAssertEqual(updated, 1)
        let total = try await scalar(app, "SELECT payments.payment_total('ten_1')")
        XCTAssertEqual(total, 700)
        let pending = try await migrator(app).pendingVersions()
        XCTAssertEqual(pending, [])
        // Migration history is read-only for the runtime role, and it cannot change the schema.
        do {
            try await app.execute("DELETE FROM payments.schema_migrations")
            XCTFail("the runtime role must not rewrite migration history")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "42501")
        }
        do {
            try await app.execute("CREATE TABLE payments.sneaky (n int)")
            XCTFail("the runtime role must not create tables")
        } catch let error as PostgresError {
            XCTAssertEqual(error.sqlState, "42501")
        }
        // Tables added by later migrations are covered by the default privileges.
        let later =
            migrations + [
                Migration(version: 4, name: "refunds", sql: "CREATE TABLE refunds (id bigserial PRIMARY KEY, n int);")
            ]
        _ = try await migrator(owner, later).migrate()
        let inserted = try await app.execute("INSERT INTO payments.refunds (n) VALUES (1)")
        XCTAssertEqual(inserted, 1)
        let deleted = try await app.execute("DELETE FROM payments.payments")
        XCTAssertEqual(deleted, 1)
    }

    func testUnknownAppliedVersionsAreTolerated() async throws {
        let pool = makePool()
        _ = try await migrator(pool).migrate()
        // An older binary that knows only the first two migrations still starts.
        let older = try await migrator(pool, Array(migrations.prefix(2))).migrate()
        XCTAssertEqual(older, [])
    }

    func testInvalidListsAreRejectedBeforeTouchingTheDatabase() async throws {
        let pool = makePool()
        let duplicate = [migrations[0], Migration(version: 1, name: "again", sql: "SELECT 1")]
        do {
            _ = try await migrator(pool, duplicate).migrate()
            XCTFail("expected duplicateVersion")
        } catch let error as MigrationError {
            XCTAssertEqual(error.kind, .duplicateVersion(1))
        }
        do {
            _ = try await migrator(pool, [migrations[1], migrations[0]]).migrate()
            XCTFail("expected outOfOrder")
        } catch let error as MigrationError {
            XCTAssertEqual(error.kind, .outOfOrder(version: 1, after: 2))
        }
        let schemas = try await scalar(pool, "SELECT count(*) FROM pg_namespace WHERE nspname = 'payments'")
        XCTAssertEqual(schemas, 0)
    }

    func testChecksumIsHexSHA256OfTheSQL() {
        XCTAssertEqual(
            Migration(version: 1, name: "empty", sql: "").checksum,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
