import Foundation
import Platform
import Postgres
import Shared
import TestSupport
import XCTest

/// A fresh database with the audit tables in schema `svc`, migrated by the owner and granted to the
/// runtime role as a service's start-up does, plus pools for both roles.
struct AuditTestHarness {
    static let schema = "svc"
    let database: TestDatabase
    /// The runtime role (what a service uses): the append-only triggers apply to it.
    let app: PostgresPool
    /// The table owner: can disable the triggers, like an attacker with the owner's rights.
    let owner: PostgresPool
    let log: AuditLog

    static func make(appPoolSize: Int = 4) async throws -> AuditTestHarness {
        let database = try await TestDatabase.create()
        let owner = database.pool(.owner)
        _ = try await Migrator(
            pool: owner, schema: schema, migrations: [AuditSchema.migration(version: 1, schema: schema)],
            logger: TestEnvironment.logger()
        ).migrate(grantTo: [database.appRole, "coffer_platform"])
        return AuditTestHarness(
            database: database, app: database.pool(.app, poolSize: appPoolSize), owner: owner,
            log: AuditLog(schema: schema))
    }

    func close() async throws {
        await app.shutdown()
        await owner.shutdown()
        try await database.drop()
    }

    func sealer(batchSize: Int = 500, pool: PostgresPool? = nil, doorbell: Doorbell? = nil) -> AuditSealer {
        var configuration = AuditSealer.Configuration()
        configuration.batchSize = batchSize
        configuration.busyInterval = .milliseconds(20)
        configuration.idleInterval = .milliseconds(100)
        return AuditSealer(
            schema: Self.schema, database: pool ?? app, logger: TestEnvironment.logger(),
            configuration: configuration, doorbell: doorbell ?? log.sealerDoorbell)
    }

    func verifier(unsealedThreshold: Duration = .seconds(300)) -> AuditVerifier {
        AuditVerifier(schema: Self.schema, database: app, unsealedThreshold: unsealedThreshold, pageSize: 7)
    }

    static func entry(_ tenant: String?, _ n: Int, action: String = "payment.created") -> AuditEntry {
        AuditEntry(
            tenantID: tenant, actor: "key_test", action: action, objectType: "payment", objectID: "pay_\(n)",
            before: n.isMultiple(of: 2) ? nil : ["status": "pending"],
            after: ["status": "succeeded", "amount": .int(Int64(n)), "n": .int(Int64(n))], correlationID: "corr-\(n)")
    }

    /// Records each entry in its own committed transaction.
    func record(_ entries: [AuditEntry]) async throws {
        for entry in entries {
            try await app.transaction { connection in try await log.record(entry, on: connection) }
        }
    }

    /// The sealed chain of `tenantKey`: (row id, chain_seq, prev_hash, hash), in chain order.
    func chain(_ tenantKey: String) async throws -> [(id: Int64, seq: Int64, prev: String, hash: String)] {
        try await app.query(
            """
            SELECT id, chain_seq, prev_hash, hash FROM svc.audit_log WHERE tenant_key = \(tenantKey) AND chain_seq IS NOT NULL
            ORDER BY chain_seq
            """
        ).map { row in
            let (id, seq, prev, hash) = try row.decode((Int64, Int64, String, String).self)
            return (id, seq, prev, hash)
        }
    }

    func count(_ sql: String) async throws -> Int64 {
        try await app.query(PostgresQuery(unsafeSQL: sql)).first?.decode(Int64.self, at: 0) ?? -1
    }

    /// Runs `sql` as the table owner with the append-only trigger switched off, as an attacker with the
    /// owner's rights could.
    func tamper(_ sql: String) async throws {
        try await owner.transaction { connection in
            try await connection.executeScript(
                unsafeSQL: """
                    ALTER TABLE svc.audit_log DISABLE TRIGGER audit_log_append_only;
                    \(sql);
                    ALTER TABLE svc.audit_log ENABLE TRIGGER audit_log_append_only;
                    """)
        }
    }
}

/// Asserts that `body` fails with a PostgreSQL error of `sqlState`.
func assertPostgresError(
    _ sqlState: String, file: StaticString = #filePath, line: UInt = #line,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        XCTFail("expected SQLSTATE \(sqlState), but it succeeded", file: file, line: line)
    } catch let error as PostgresError {
        XCTAssertEqual(error.sqlState, sqlState, error.debugDescription, file: file, line: line)
    } catch {
        XCTFail("expected a PostgresError, got \(error)", file: file, line: line)
    }
}
