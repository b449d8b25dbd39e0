import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// Payroll batches. A dry run and a real batch take the same path — every item created in one
/// transaction, limits, balances and gates checked against the items before it — so the dry run says
/// exactly what the real batch would do; the dry run then rolls back, and a real batch commits only if
/// every item passed (all or nothing). After that each payout proceeds on its own.
struct BatchService: Sendable {
    let core: PayoutsCore
    let payouts: PayoutService
    /// Dry runs per tenant (in this process).
    let dryRuns: TokenBucketLimiter
    /// A real batch moves money out: it needs a recently confirmed tenancy copy (a dry run does not).
    let freshness: TenancyFreshness

    /// Carries a finished dry run (or a refused batch) out of its transaction so it rolls back.
    private struct RolledBack: Error { let response: HTTPResponse }

    func submit(_ request: HTTPRequest, info: RequestInfo) async throws -> HTTPResponse {
        let batch = try BatchItems(request: request, maxItems: core.configuration.batchMaxItems)
        if batch.dryRun {
            // A dry run does all the work of a batch and keeps none of it: limited per tenant.
            let decision = dryRuns.consume(info.tenantID, cost: 1, capacity: core.configuration.dryRunsPerMinute,
                                           refillPerMinute: core.configuration.dryRunsPerMinute)
            guard decision.allowed else {
                throw HTTPError.tooManyRequests(retryAfterSeconds: decision.retryAfterSeconds,
                                                message: "At most \(core.configuration.dryRunsPerMinute) batch dry runs a minute.")
            }
        }
        if !batch.dryRun {
            try freshness.requireConfirmed()
            guard let token = info.token else {
                throw HTTPError.badRequest("A payout batch moves money: send an Idempotency-Key header (a dry run needs none).",
                                           code: "idempotency_key_required")
            }
            if let batchID = token.recoveryPoint {
                return .json(.created, bytes: try await get(batchID, request: info).serialized())
            }
        }
        let batchID = CofferID.generate(.payoutBatch)
        do {
            let response = try await core.database.tenantTransaction(info.tenantID) { connection -> HTTPResponse in
                var events = PendingEvents(source: "payouts", tenantID: info.tenantID, correlationID: info.correlationID)
                var created: [PayoutRecord] = []
                var errors = batch.errors
                for item in batch.items {
                    do {
                        created.append(try await payouts.create(item.input, request: info, batchID: batchID, on: connection, events: &events))
                    } catch let error as HTTPError {
                        errors.append(BatchItems.ItemError(index: item.index, code: error.code, message: error.message,
                                                           param: error.param.map { "items[\(item.index)]." + $0 }))
                    }
                }
                errors.sort { $0.index < $1.index }
                let totals = Self.totals(created)
                if batch.dryRun || !errors.isEmpty {
                    throw RolledBack(response: Self.report(requestID: info.requestID, batch: batch, created: created, errors: errors, totals: totals))
                }
                try await connection.execute("""
                    INSERT INTO payouts.payout_batches (id, tenant_id, livemode, item_count, totals, payout_ids, created_by)
                    VALUES (\(batchID), \(info.tenantID), \(info.key.livemode), \(Int64(created.count)), \(totals.jsonString)::jsonb,
                            \(array: created.map(\.id))::text[], \(info.actor))
                    """)
                var writes: [PostgresQuery] = []
                if let (enqueue, _) = core.outbox.enqueueQuery(events.entries) { writes.append(enqueue) }
                writes.append(contentsOf: try core.audit.recordQueries([AuditEntry(
                    tenantID: info.tenantID, actor: info.actor, action: "payout_batch.created", objectType: "payout_batch", objectID: batchID,
                    before: nil, after: ["items": .int(Int64(created.count)), "totals": totals], correlationID: info.correlationID)]))
                let body = try await Self.json(batchID: batchID, on: connection)
                let response = HTTPResponse.json(.created, bytes: body.serialized())
                if let token = info.token {
                    writes.append(core.idempotency.recoveryPointQuery(token, objectID: batchID, in: "payouts.payout_batches"))
                    writes.append(core.idempotency.completeQuery(token, status: 201, body: response.body))
                }
                _ = try await connection.pipeline(writes)
                return response
            }
            info.token?.markCompleted()
            core.outbox.nudge()
            core.queueBell.ring()
            return response
        } catch let rolledBack as RolledBack {
            return rolledBack.response
        }
    }

    /// What a dry run found, or why a real batch was refused (422 `batch_invalid`, nothing created).
    static func report(requestID: String, batch: BatchItems, created: [PayoutRecord], errors: [BatchItems.ItemError],
                       totals: JSONValue) -> HTTPResponse {
        // The items that passed, in order, so each result names its item.
        let failed = Set(errors.map(\.index))
        let passed = batch.items.map(\.index).filter { !failed.contains($0) }
        let items: [JSONValue] = zip(passed, created).map { index, payout in
            ["index": .int(Int64(index)), "payee_id": .string(payout.payeeID), "amount": .int(payout.amount),
             "currency": .string(payout.currency.code), "would_be": .string(payout.status.rawValue),
             "approval_reasons": .array(payout.approvalReasons.map(JSONValue.string)),
             "hold_reasons": .array(payout.holdReasons.map(JSONValue.string))]
        }
        let body: JSONValue = [
            "object": "payout_batch_check", "dry_run": .bool(batch.dryRun), "valid": .bool(errors.isEmpty),
            "item_count": .int(Int64(batch.items.count + batch.errors.count)), "totals": totals,
            "items": .array(items), "errors": .array(errors.map(\.json)),
        ]
        if batch.dryRun { return .json(.ok, bytes: body.serialized()) }
        let envelope: JSONValue = [
            "code": "batch_invalid", "message": .string("\(errors.count) of the batch's items are invalid; nothing was created. See error.items."),
            "param": "items", "request_id": .string(requestID), "items": .array(errors.map(\.json)),
        ]
        return .json(.unprocessableContent, bytes: JSONValue.object(["error": envelope]).serialized())
    }

    /// Count and sum per currency.
    static func totals(_ payouts: [PayoutRecord]) -> JSONValue {
        var sums: [String: (count: Int64, amount: Int64)] = [:]
        for payout in payouts { sums[payout.currency.code, default: (0, 0)].count += 1; sums[payout.currency.code, default: (0, 0)].amount += payout.amount }
        return .array(sums.keys.sorted().map { currency in
            ["currency": .string(currency), "payouts": .int(sums[currency]!.count), "amount": .int(sums[currency]!.amount)]
        })
    }

    func get(_ batchID: String, request: RequestInfo) async throws -> JSONValue {
        guard CofferID.isValid(batchID, prefix: .payoutBatch) else { throw HTTPError.notFound("No such payout batch: \(batchID)", param: "id") }
        return try await core.database.tenantTransaction(request.tenantID) { connection in
            guard let owner = try await connection.query("""
                SELECT livemode FROM payouts.payout_batches WHERE id = \(batchID) AND tenant_id = \(request.tenantID)
                """).first, try owner.decode(Bool.self, at: 0) == request.key.livemode
            else { throw HTTPError.notFound("No such payout batch: \(batchID)", param: "id") }
            return try await Self.json(batchID: batchID, on: connection)
        }
    }

    /// The batch with every item's payout as it is now, and counts per status.
    static func json(batchID: String, on connection: PostgresConnection) async throws -> JSONValue {
        guard let row = try await connection.query("""
            SELECT tenant_id, livemode, item_count, totals::text, payout_ids, created_by, created_at
            FROM payouts.payout_batches WHERE id = \(batchID)
            """).first else { throw HTTPError.notFound("No such payout batch: \(batchID)", param: "id") }
        let (tenantID, livemode, count, totals, ids, createdBy, createdAt) = try row.decode((String, Bool, Int32, String, [String], String, Date).self)
        let payouts = try await connection.query("""
            SELECT \(unsafeSQL: PayoutRecord.columns) FROM payouts.payouts o WHERE o.batch_id = \(batchID) AND o.tenant_id = \(tenantID)
            """).map(PayoutRecord.init(row:))
        let byID = Dictionary(uniqueKeysWithValues: payouts.map { ($0.id, $0) })
        var counts: [String: Int64] = [:]
        var items: [JSONValue] = []
        for (index, id) in ids.enumerated() {
            guard let payout = byID[id] else { continue }
            counts[payout.status.rawValue, default: 0] += 1
            var item = payout.json.objectValue ?? [:]
            item["index"] = .int(Int64(index))
            items.append(.object(item))
        }
        let open = payouts.contains { !$0.status.isTerminal }
        return [
            "id": .string(batchID), "object": "payout_batch", "livemode": .bool(livemode), "status": .string(open ? "processing" : "completed"),
            "item_count": .int(Int64(count)), "totals": parseTotals(totals), "status_counts": .object(counts.mapValues(JSONValue.int)),
            "created_by": .string(createdBy), "created_at": .string(Timestamp.rfc3339(createdAt)), "items": .array(items),
        ]
    }

    @inline(never)
    static func parseTotals(_ text: String) -> JSONValue { (try? JSONValue.parse(text)) ?? .array([]) }
}
