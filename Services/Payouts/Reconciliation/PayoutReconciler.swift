import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Compares payouts with what their providers say (every 15 minutes by default): open payouts the
/// provider accepted, and every payout that changed within the lookback. Status drift is fixed the way
/// provider news fixes it (the same pure `PayoutTransition`), so money that left is always booked and a
/// return is always credited back; amount mismatches and payouts the provider has never heard of are
/// reported, never "fixed" by guessing. Each run stores a report.
struct PayoutReconciler: Sendable {
    let core: PayoutsCore
    let connectors: PayoutConnectors
    /// At most this many payouts per run (oldest change first); the next run takes the rest.
    var limit = 20_000
    var concurrency = 16

    struct Candidate: Sendable {
        let payout: PayoutRecord
        let kind: PayoutDestination.Kind
    }

    enum Finding: Sendable {
        case matched
        case fixed(JSONValue)
        case amountMismatch(JSONValue)
        case unknownAtProvider(JSONValue)
        case error(JSONValue)
        case skipped
    }

    @discardableResult
    func run() async throws -> JSONValue {
        let started = Date()
        let lookback = Int64(core.configuration.reconciliationLookback.components.seconds)
        let query: PostgresQuery = """
            SELECT \(unsafeSQL: PayoutRecord.columns), coalesce(o.destination_kind, e.destination_kind) FROM payouts.payouts o
            JOIN payouts.payees e ON e.id = o.payee_id AND e.tenant_id = o.tenant_id
            WHERE o.connector_id IS NOT NULL AND (
                (o.status = 'processing' AND o.provider_payout_id IS NOT NULL)
                OR (o.status IN ('processed', 'failed', 'reversed') AND o.updated_at > now() - make_interval(secs => \(lookback))))
            ORDER BY o.updated_at LIMIT \(Int64(limit))
            """
        let candidates = try await core.database.platformTransaction { connection in
            try await connection.query(query).map { row in
                Candidate(payout: try PayoutRecord(row: row),
                          kind: PayoutDestination.Kind(rawValue: try row.decode(String.self, at: PayoutRecord.columnCount)) ?? .bankAccount)
            }
        }
        let findings = await withTaskGroup(of: Finding.self) { group -> [Finding] in
            var results: [Finding] = []
            var next = 0
            func start() {
                guard next < candidates.count else { return }
                let candidate = candidates[next]
                next += 1
                group.addTask { await check(candidate) }
            }
            for _ in 0..<concurrency { start() }
            for await finding in group {
                results.append(finding)
                start()
            }
            return results
        }
        var matched = 0, examined = 0
        var fixes: [JSONValue] = [], mismatches: [JSONValue] = [], unknown: [JSONValue] = [], errors: [JSONValue] = []
        for finding in findings {
            switch finding {
            case .matched: matched += 1; examined += 1
            case .fixed(let fix): fixes.append(fix); examined += 1
            case .amountMismatch(let mismatch): mismatches.append(mismatch); examined += 1
            case .unknownAtProvider(let payout): unknown.append(payout); examined += 1
            case .error(let error): errors.append(error); examined += 1
            case .skipped: break
            }
        }
        let reportID = CofferID.generate(.reconciliationReport)
        let report: JSONValue = [
            "id": .string(reportID), "object": "reconciliation_report", "started_at": .string(Timestamp.rfc3339(started)),
            "finished_at": .string(Timestamp.rfc3339(Date())), "examined": .int(Int64(examined)), "matched": .int(Int64(matched)),
            "fixed": .int(Int64(fixes.count)), "fixes": .array(fixes), "amount_mismatches": .array(mismatches),
            "unknown_at_provider": .array(unknown), "errors": .array(errors),
        ]
        _ = try await core.database.platformTransaction { connection in
            try await connection.execute("""
                INSERT INTO payouts.reconciliation_reports (id, started_at, finished_at, examined, matched, fixed, amount_mismatches,
                    unknown_at_provider, errors, fixes)
                VALUES (\(reportID), \(started), now(), \(Int64(examined)), \(Int64(matched)), \(Int64(fixes.count)),
                        \(JSONValue.array(mismatches).jsonString)::jsonb, \(JSONValue.array(unknown).jsonString)::jsonb,
                        \(JSONValue.array(errors).jsonString)::jsonb, \(JSONValue.array(fixes).jsonString)::jsonb)
                """)
        }
        if !fixes.isEmpty { core.outbox.nudge() }
        let level: LogLevel = mismatches.isEmpty && unknown.isEmpty ? .info : .error
        core.logger.log(level, "payout reconciliation finished", [
            "report_id": .string(reportID), "examined": .int(Int64(examined)), "matched": .int(Int64(matched)), "fixed": .int(Int64(fixes.count)),
            "amount_mismatches": .int(Int64(mismatches.count)), "unknown_at_provider": .int(Int64(unknown.count)),
            "errors": .int(Int64(errors.count)),
        ])
        return report
    }

    func check(_ candidate: Candidate) async -> Finding {
        let payout = candidate.payout
        let summary: JSONValue = ["payout_id": .string(payout.id), "tenant_id": .string(payout.tenantID), "status": .string(payout.status.rawValue),
                                  "amount": .int(payout.amount), "currency": .string(payout.currency.code)]
        do {
            guard let connectorID = payout.connectorID,
                  let connector = try await connectors.connector(id: connectorID, tenantID: payout.tenantID, livemode: payout.livemode),
                  let adapter = connectors.adapter(connector.provider)
            else { return .error(Self.with(summary, ["error": "connector_unavailable"])) }
            let state: ProviderPayoutState?
            do {
                state = try await adapter.fetch(providerPayoutID: payout.providerPayoutID, reference: payout.id, connector: connector)
            } catch {
                return .error(Self.with(summary, ["error": .string(error.kind.rawValue)]))
            }
            guard let state else {
                // A payout still in flight may not be visible yet; a settled one must be.
                return payout.status == .processing ? .matched : .unknownAtProvider(summary)
            }
            if state.amount != payout.amount || state.currency != payout.currency {
                return .amountMismatch(Self.with(summary, ["provider_amount": .int(state.amount),
                                                           "provider_currency": .string(state.currency.code),
                                                           "provider_payout_id": .string(state.providerPayoutID)]))
            }
            return try await fix(payout, observed: state, summary: summary)
        } catch {
            return .error(Self.with(summary, ["error": .string(String(describing: error))]))
        }
    }

    /// Applies the provider's view under the payout's lock (re-read: a worker or webhook may have moved it).
    private func fix(_ candidate: PayoutRecord, observed state: ProviderPayoutState, summary: JSONValue) async throws -> Finding {
        let finding = try await core.database.tenantTransaction(candidate.tenantID) { connection -> Finding in
            guard let payout = try await PayoutRecord.load(candidate.id, tenantID: candidate.tenantID, forUpdate: true, on: connection) else {
                return .skipped
            }
            let transition = PayoutTransition.decide(current: payout.status, observed: state.status)
            switch transition {
            case .unchanged, .pending: return .matched
            case .stale(let reason): return .error(Self.with(summary, ["error": "stale", "reason": .string(reason)]))
            case .settle, .settleLate, .fail, .reverse: break
            }
            let applied = PayoutSettlement(outbox: core.outbox).apply(transition, to: payout, providerPayoutID: state.providerPayoutID,
                                                                     correlationID: nil, logger: core.logger)
            _ = try await connection.pipeline(applied.writes)
            try await core.audit.record(AuditEntry(tenantID: payout.tenantID, actor: "system:reconciliation", action: "payout.reconciled",
                                                   objectType: "payout", objectID: payout.id, before: payout.json, after: applied.payout.json,
                                                   correlationID: nil), on: connection)
            return .fixed(Self.with(summary, ["from": .string(payout.status.rawValue), "to": .string(applied.payout.status.rawValue),
                                              "provider_status": .string(state.rawStatus)]))
        }
        return finding
    }

    static func with(_ base: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
        .object((base.objectValue ?? [:]).merging(extra) { _, new in new })
    }
}
