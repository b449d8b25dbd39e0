import Foundation
import Postgres
import Shared

/// Stored answers to `Idempotency-Key` requests (Stripe's semantics). A key is claimed before the
/// request runs; its first response — errors included once the request began to take effect — is
/// kept and replayed; the same key with a different request is refused (422), and while the first
/// is still running (409). A request that began to take effect records a recovery point (the object it
/// created), so a retry after a crash resumes that object instead of creating another.
public struct IdempotencyStore: Sendable {
    public let database: PostgresPool
    /// The service's schema, which holds `idempotency_keys` (`IdempotencySchema.migration`).
    public let schema: String
    public let retention: Duration
    /// How long a running request holds its key; after it, a retry may take over (crash recovery).
    public let lease: Duration

    public init(database: PostgresPool, schema: String, retention: Duration, lease: Duration) {
        self.database = database
        self.schema = schema
        self.retention = retention
        self.lease = lease
    }

    public enum Claim: Sendable {
        case proceed(IdempotencyClaim)
        case replay(status: Int, body: [UInt8])
        case mismatch
        case inProgress
    }

    public func claim(scope: String, key: String, tenantID: String, method: String, path: String, fingerprint: String)
        async throws -> Claim
    {
        let expires = Int64(retention.components.seconds)
        let leaseSeconds = Int64(lease.components.seconds)
        // One round trip for the common cases (a new key, a replay): the tenant setting, the insert and
        // the read travel as one pipelined implicit transaction.
        let results = try await database.pipeline([
            "SELECT set_config('app.tenant_id', \(tenantID), true)",
            """
            INSERT INTO \(unsafeSQL: schema).idempotency_keys (scope, key, tenant_id, request_method, request_path, fingerprint, status,
                locked_until, expires_at)
            VALUES (\(scope), \(key), \(tenantID), \(method), \(path), \(fingerprint), 'in_progress',
                now() + make_interval(secs => \(leaseSeconds)), now() + make_interval(secs => \(expires)))
            ON CONFLICT (scope, key) DO NOTHING
            RETURNING 1
            """,
            """
            SELECT request_method, request_path, fingerprint, status, locked_until > now(), recovery_point, response_status, response_body,
                   expires_at < now()
            FROM \(unsafeSQL: schema).idempotency_keys WHERE scope = \(scope) AND key = \(key)
            """,
        ])
        if !results[1].isEmpty {
            return .proceed(IdempotencyClaim(scope: scope, key: key, tenantID: tenantID, recoveryPoint: nil))
        }
        guard let row = results[2].first else {
            // Purged between the insert and the read: treat as new on the next try.
            return .inProgress
        }
        let (storedMethod, storedPath, storedFingerprint, status, locked, _, responseStatus, responseBody, expired) =
            try row.decode((String, String, String, String, Bool?, String?, Int32?, [UInt8]?, Bool).self)
        if expired, status == "completed" {
            // Past its retention (the purge job has not reached it yet): the key is free again.
            return try await database.tenantTransaction(tenantID) { connection -> Claim in
                let taken = try await connection.query(
                    prepared: """
                        UPDATE \(unsafeSQL: schema).idempotency_keys SET request_method = \(method), request_path = \(path), fingerprint = \(fingerprint),
                            status = 'in_progress', locked_until = now() + make_interval(secs => \(leaseSeconds)), recovery_point = NULL,
                            response_status = NULL, response_body = NULL, created_at = now(), expires_at = now() + make_interval(secs => \(expires))
                        WHERE scope = \(scope) AND key = \(key) AND status = 'completed' AND expires_at < now()
                        RETURNING 1
                        """)
                guard !taken.isEmpty else { return .inProgress }
                return .proceed(IdempotencyClaim(scope: scope, key: key, tenantID: tenantID, recoveryPoint: nil))
            }
        }
        guard storedMethod == method, storedPath == path, storedFingerprint == fingerprint else { return .mismatch }
        if status == "completed", let responseStatus, let responseBody {
            return .replay(status: Int(responseStatus), body: responseBody)
        }
        if locked == true { return .inProgress }
        // The first request died mid-way: take the key over (only one retry can) and resume from its recovery point.
        return try await database.tenantTransaction(tenantID) { connection -> Claim in
            guard
                let row = try await connection.query(
                    prepared: """
                        UPDATE \(unsafeSQL: schema).idempotency_keys SET locked_until = now() + make_interval(secs => \(leaseSeconds))
                        WHERE scope = \(scope) AND key = \(key) AND status = 'in_progress' AND (locked_until IS NULL OR locked_until <= now())
                        RETURNING recovery_point
                        """
                ).first
            else { return .inProgress }
            return .proceed(
                IdempotencyClaim(
                    scope: scope, key: key, tenantID: tenantID, recoveryPoint: try row.decode(String?.self, at: 0)))
        }
    }

    /// Records that the request created `objectID` (a row of `table`), in the pipeline that inserts it:
    /// only if that row is there (a refused insert leaves the key free to retry).
    public func recoveryPointQuery(_ claim: IdempotencyClaim, objectID: String, in table: String) -> PostgresQuery {
        let query: PostgresQuery = """
            UPDATE \(unsafeSQL: schema).idempotency_keys SET recovery_point = \(objectID)
            WHERE scope = \(claim.scope) AND key = \(claim.key) AND EXISTS (SELECT 1 FROM \(unsafeSQL: table) WHERE id = \(objectID))
            """
        return query.prepared()
    }

    /// Records that the request created `objectID`, inside the transaction that created it.
    public func recoveryPointQuery(_ claim: IdempotencyClaim, objectID: String) -> PostgresQuery {
        let query: PostgresQuery = """
            UPDATE \(unsafeSQL: schema).idempotency_keys SET recovery_point = \(objectID) WHERE scope = \(claim.scope) AND key = \(claim.key)
            """
        return query.prepared()
    }

    /// Stores the answer: the statement, for the transaction that takes effect (the unit of work).
    public func completeQuery(_ claim: IdempotencyClaim, answer: StoredAnswer) -> PostgresQuery {
        let query: PostgresQuery = """
            UPDATE \(unsafeSQL: schema).idempotency_keys SET status = 'completed', locked_until = NULL, response_status = \(Int32(answer.status)),
                   response_body = \(answer.body)
            WHERE scope = \(claim.scope) AND key = \(claim.key)
            """
        return query.prepared()
    }

    /// Stores the answer on its own (a request that answered without a unit of work recording it).
    public func complete(_ claim: IdempotencyClaim, answer: StoredAnswer) async throws {
        try await database.tenantTransaction(claim.tenantID) { connection in
            try await connection.execute(completeQuery(claim, answer: answer))
        }
    }

    /// After a request was refused or answered without storing: if it took effect before (it recorded
    /// a recovery point), its answer is stored, so a retry gets the same one; if not, the key is
    /// forgotten so the client can fix the request and send it again. One round trip.
    public func settle(_ claim: IdempotencyClaim, answer: StoredAnswer) async {
        _ = try? await database.tenantTransaction(claim.tenantID) { connection in
            _ = try await connection.pipeline([
                """
                UPDATE \(unsafeSQL: schema).idempotency_keys SET status = 'completed', locked_until = NULL,
                       response_status = \(Int32(answer.status)), response_body = \(answer.body)
                WHERE scope = \(claim.scope) AND key = \(claim.key) AND status = 'in_progress' AND recovery_point IS NOT NULL
                """,
                """
                DELETE FROM \(unsafeSQL: schema).idempotency_keys
                WHERE scope = \(claim.scope) AND key = \(claim.key) AND status = 'in_progress' AND recovery_point IS NULL
                """,
            ])
        }
    }

    /// Forgets a key whose request never took effect, so the client can retry it. A key with a recovery
    /// point is never released: it stays claimed, and a retry after the lease resumes its object.
    public func release(_ claim: IdempotencyClaim) async {
        _ = try? await database.tenantTransaction(claim.tenantID) { connection in
            try await connection.execute(
                prepared: """
                    DELETE FROM \(unsafeSQL: schema).idempotency_keys
                    WHERE scope = \(claim.scope) AND key = \(claim.key) AND status = 'in_progress' AND recovery_point IS NULL
                    """)
        }
    }

    /// Deletes expired keys (a scheduled job), in batches.
    public func purgeExpired() async throws -> Int {
        try await database.platformTransaction { connection in
            try await connection.execute(
                prepared: """
                    DELETE FROM \(unsafeSQL: schema).idempotency_keys WHERE ctid IN (
                        SELECT ctid FROM \(unsafeSQL: schema).idempotency_keys WHERE expires_at < now() LIMIT 10000)
                    """)
        }
    }
}
