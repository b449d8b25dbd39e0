import Foundation
import Platform
import ProviderKit
import Shared

/// Compares payouts with what their providers say (every 15 minutes by default): open payouts the
/// provider accepted, and every payout that changed within the lookback. Status drift is fixed the way
/// provider news fixes it (the same pure `PayoutTransition`), so money that left is always booked and a
/// return is always credited back; amount mismatches and payouts the provider has never heard of are
/// reported, never "fixed" by guessing. Each run stores a report.
struct PayoutReconciler: Sendable {
    let core: PayoutsCore
    let channels: PayoutChannels
    /// At most this many payouts per run (oldest change first); the next run takes the rest.
    var limit = 20_000
    var concurrency = 16

    enum Finding: Sendable {
        case matched
        case fixed(JSONValue)
        case amountMismatch(JSONValue)
        case unknownAtProvider(JSONValue)
        case error(JSONValue)
        case skipped
    }

    @discardableResult
    func run() async throws -> ReconciliationReport {
        let started = Date()
        let candidates = try await core.database.platformTransaction { connection in
            try await core.payouts.reconciliationCandidates(
                lookback: core.configuration.reconciliationLookback, limit: limit, on: connection)
        }.map(\.0)
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
        let report = ReconciliationReport(
            id: CofferID.generate(.reconciliationReport), startedAt: started, finishedAt: Date(), examined: examined,
            matched: matched, fixes: fixes, amountMismatches: mismatches, unknownAtProvider: unknown,
            errors: errors)
        try await core.database.platformTransaction { connection in
            try await core.reconciliation.insertReport(report, on: connection)
        }
        let level: LogLevel = mismatches.isEmpty && unknown.isEmpty ? .info : .error
        core.logger.log(
            level, "payout reconciliation finished",
            [
                "report_id": .string(report.id), "examined": .int(Int64(examined)), "matched": .int(Int64(matched)),
                "fixed": .int(Int64(fixes.count)),
                "amount_mismatches": .int(Int64(mismatches.count)), "unknown_at_provider": .int(Int64(unknown.count)),
                "errors": .int(Int64(errors.count)),
            ])
        return report
    }

    func check(_ payout: Payout) async -> Finding {
        let summary: JSONValue = [
            "payout_id": .string(payout.id), "tenant_id": .string(payout.tenantID),
            "status": .string(payout.status.rawValue),
            "amount": .int(payout.amount), "currency": .string(payout.currency.code),
        ]
        do {
            guard let connectorID = payout.connectorID,
                let connector = try await channels.connector(
                    id: connectorID, tenantID: payout.tenantID, livemode: payout.livemode),
                let adapter = channels.adapter(connector.provider)
            else { return .error(Self.with(summary, ["error": "connector_unavailable"])) }
            let state: ProviderPayoutState?
            do {
                state = try await adapter.fetch(
                    providerPayoutID: payout.providerPayoutID, reference: payout.id, connector: connector)
            } catch {
                return .error(Self.with(summary, ["error": .string(error.kind.rawValue)]))
            }
            guard let state else {
                // A payout still in flight may not be visible yet; a settled one must be.
                return payout.status == .processing ? .matched : .unknownAtProvider(summary)
            }
            if state.amount != payout.amount || state.currency != payout.currency {
                return .amountMismatch(
                    Self.with(
                        summary,
                        [
                            "provider_amount": .int(state.amount),
                            "provider_currency": .string(state.currency.code),
                            "provider_payout_id": .string(state.providerPayoutID),
                        ]))
            }
            return try await fix(payout, observed: state, summary: summary)
        } catch {
            return .error(Self.with(summary, ["error": .string(String(describing: error))]))
        }
    }

    /// Applies the provider's view under the payout's lock (re-read: a worker or webhook may have moved it).
    private func fix(_ candidate: Payout, observed state: ProviderPayoutState, summary: JSONValue) async throws
        -> Finding
    {
        let request = WorkRequest(tenantID: candidate.tenantID, actor: "system:reconciliation", correlationID: nil)
        return try await core.work.run(request) { work -> Finding in
            guard
                let payout = try await core.payouts.load(
                    candidate.id, tenantID: candidate.tenantID, forUpdate: true, on: work.connection)
            else {
                return .skipped
            }
            let transition = PayoutTransition.decide(current: payout.status, observed: state.status)
            switch transition {
            case .unchanged, .pending: return .matched
            case .stale(let reason): return .error(Self.with(summary, ["error": "stale", "reason": .string(reason)]))
            case .settle, .settleLate, .fail, .reverse: break
            }
            let applied = try await PayoutSettlement(core: core).apply(
                transition, to: payout, providerPayoutID: state.providerPayoutID, in: &work)
            work.audit(
                "payout.reconciled", objectType: "payout", objectID: payout.id, before: payout.json,
                after: applied.payout.json)
            return .fixed(
                Self.with(
                    summary,
                    [
                        "from": .string(payout.status.rawValue), "to": .string(applied.payout.status.rawValue),
                        "provider_status": .string(state.rawStatus),
                    ]))
        }.value
    }

    static func with(_ base: JSONValue, _ extra: [String: JSONValue]) -> JSONValue {
        .object((base.objectValue ?? [:]).merging(extra) { _, new in new })
    }
}
