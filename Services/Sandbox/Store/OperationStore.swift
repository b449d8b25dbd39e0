import Foundation
import Platform
import Postgres
import Shared
import Synchronization

/// Persists executed operations to `sandbox.operations` in batches, every `interval`, off the request
/// path; loads them back at start-up, so the proof of what executed survives a sandbox restart.
final class OperationStore: Service {
    let name = "operation-store"
    private let database: PostgresPool
    private let log: OperationLog
    private let interval: Duration
    private let logger: Logger
    private let control = LoopControl()
    /// One writer at a time: a reset's delete must not interleave with a flush.
    private let writer = AsyncSemaphore(permits: 1)

    init(database: PostgresPool, log: OperationLog, interval: Duration, logger: Logger) {
        self.database = database
        self.log = log
        self.interval = interval
        self.logger = logger.with(["component": "operation-store"])
    }

    func run() async throws {
        while control.isRunning {
            await control.pause(interval)
            await flush()
        }
        await flush()
    }

    func shutdown() async {
        control.stop()
    }

    /// Writes what is pending; on failure puts it back for the next round.
    func flush() async {
        await writer.withPermit {
            let batch = log.takeUnpersisted()
            guard !batch.isEmpty else { return }
            do {
                for chunk in stride(from: 0, to: batch.count, by: 5000).map({
                    Array(batch[$0..<min($0 + 5000, batch.count)])
                }) {
                    try await insert(chunk)
                }
            } catch {
                log.returnUnpersisted(batch)
                logger.warning(
                    "cannot persist operations; will retry",
                    [
                        "error": .string(String(describing: error)),
                        "pending": .int(Int64(batch.count)),
                    ])
            }
        }
    }

    /// Forgets every stored operation (a reset).
    func deleteAll() async throws {
        try await writer.withPermit {
            _ = log.takeUnpersisted()
            _ = try await database.execute("DELETE FROM sandbox.operations")
        }
    }

    /// What earlier runs stored, oldest first.
    func load() async throws -> [SandboxOperation] {
        let rows = try await database.query(
            """
            SELECT id, provider, kind, account_id, object_id, related_object_id, idempotency_key, coffer_id, amount, currency,
                   (extract(epoch FROM created_at) * 1000)::bigint AS at_ms
            FROM sandbox.operations ORDER BY id
            """)
        var operations: [SandboxOperation] = []
        for row in rows {
            let providerName = try row.decode(String.self, column: "provider")
            guard let provider = SandboxProvider(rawValue: providerName) else { continue }
            operations.append(
                SandboxOperation(
                    sequence: try row.decode(Int64.self, column: "id"), provider: provider,
                    kind: try row.decode(String.self, column: "kind"),
                    accountID: try row.decode(String?.self, column: "account_id") ?? "",
                    objectID: try row.decode(String?.self, column: "object_id") ?? "",
                    relatedObjectID: try row.decode(String?.self, column: "related_object_id"),
                    idempotencyKey: try row.decode(String?.self, column: "idempotency_key"),
                    cofferID: try row.decode(String?.self, column: "coffer_id"),
                    amount: try row.decode(Int64?.self, column: "amount"),
                    currency: try row.decode(String?.self, column: "currency"),
                    atMilliseconds: try row.decode(Int64.self, column: "at_ms")))
        }
        return operations
    }

    /// One statement per batch: the rows travel as one JSON document.
    private func insert(_ batch: [SandboxOperation]) async throws {
        let rows = JSONValue.array(
            batch.map { operation in
                .object([
                    "id": .int(operation.sequence), "provider": .string(operation.provider.rawValue),
                    "kind": .string(operation.kind),
                    "account_id": .string(operation.accountID), "object_id": .string(operation.objectID),
                    "related_object_id": operation.relatedObjectID.map(JSONValue.string) ?? .null,
                    "idempotency_key": operation.idempotencyKey.map(JSONValue.string) ?? .null,
                    "coffer_id": operation.cofferID.map(JSONValue.string) ?? .null,
                    "amount": operation.amount.map(JSONValue.int) ?? .null,
                    "currency": operation.currency.map(JSONValue.string) ?? .null,
                    "at_ms": .int(operation.atMilliseconds),
                ])
            })
        _ = try await database.execute(
            """
            INSERT INTO sandbox.operations
                (id, provider, kind, account_id, object_id, related_object_id, idempotency_key, coffer_id, amount, currency, created_at)
            SELECT id, provider, kind, account_id, object_id, related_object_id, idempotency_key, coffer_id, amount, currency,
                   to_timestamp(at_ms / 1000.0)
            FROM jsonb_to_recordset(\(rows.jsonString)::jsonb) AS r(
                id bigint, provider text, kind text, account_id text, object_id text, related_object_id text,
                idempotency_key text, coffer_id text, amount bigint, currency text, at_ms bigint)
            ON CONFLICT (id) DO NOTHING
            """)
    }
}
