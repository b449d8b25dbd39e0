import Foundation
import HTTP
import Platform
import Postgres
import Shared

/// Payouts' operator API (`/admin/…`, named operator tokens): credits to a payee, forcing a stuck
/// payout to a state (two operators for live money), reconciliation reports and runs, provider
/// balances, and re-sealing payee destinations after a master-key rotation. Every change is audited
/// with the operator's name.
enum PayoutOperatorRoutes {
    static func register(on admin: RouterGroup, core: PayoutsCore, reconciler: PayoutReconciler, balanceSync: ProviderBalanceSync) {
        // Balances held because money of the other mode reached them (issue 9), released by a two-operator reversal.
        admin.get("/balance-holds") { request, _ in
            let status = request.queryParameters["status"]
            if let status, !["held", "reversal_requested", "reversed"].contains(status) {
                throw HTTPError.badRequest("status must be held, reversal_requested or reversed.", param: "status")
            }
            return .json(.ok, bytes: ListParameters.page(try await BalanceHoldStore().list(database: core.database, status: status), hasMore: false))
        }
        admin.post("/balance-holds/{id}/reverse") { request, context in
            let reader = try BodyReader(request.body, allowed: ["reason"])
            guard let reason = try reader.string("reason", maxLength: 500) else {
                throw HTTPError.badRequest("reason is required: say why the crossed money is reversed.", param: "reason")
            }
            let (code, body) = try await BalanceHoldStore().reverse(context.parameter("id"), operator: context.adminPrincipal?.name ?? "unknown",
                                                                    reason: reason, core: core, correlationID: context.correlationID)
            return .json(code, bytes: body.serialized())
        }
        admin.get("/livemode-report") { _, _ in .json(.ok, bytes: try await BalanceHoldStore().report(database: core.database).serialized()) }
        admin.post("/payees/{id}/credits") { request, context in
            let payeeID = context.parameter("id")
            let reader = try BodyReader(request.body, allowed: ["amount", "currency", "reason"])
            let amount = try reader.amount("amount", required: true) ?? 0
            let currency = try reader.currency("currency")
            guard let reason = try reader.string("reason", maxLength: 500), !reason.isEmpty else {
                throw HTTPError.badRequest("reason is required: say why the payee is credited.", param: "reason")
            }
            let (status, credit) = try await OperatorActions(core: core).credit(
                payeeID: payeeID, amount: amount, currency: currency, reason: reason, operator: context.adminPrincipal?.name ?? "unknown",
                correlationID: context.correlationID)
            return .json(status, bytes: credit.serialized())
        }
        admin.post("/credit-requests/{id}/approve") { request, context in
            _ = try BodyReader(request.body, allowed: [])
            let credit = try await OperatorActions(core: core).approveCredit(context.parameter("id"), operator: context.adminPrincipal?.name ?? "unknown",
                                                                            correlationID: context.correlationID)
            return .json(.created, bytes: credit.serialized())
        }
        admin.post("/payouts/{id}/force-resolve") { request, context in
            let reader = try BodyReader(request.body, allowed: ["status", "reason"])
            guard let status = try reader.string("status", maxLength: 20, allowed: ["processed", "failed", "reversed"]) else {
                throw HTTPError.badRequest("status is required: processed, failed or reversed.", param: "status")
            }
            guard let reason = try reader.string("reason", maxLength: 500), !reason.isEmpty else {
                throw HTTPError.badRequest("reason is required: say what the provider confirmed.", param: "reason")
            }
            let (code, body) = try await OperatorActions(core: core).forceResolve(
                payoutID: context.parameter("id"), status: PayoutStatus(rawValue: status) ?? .failed, reason: reason,
                operator: context.adminPrincipal?.name ?? "unknown", correlationID: context.correlationID)
            return .json(code, bytes: body.serialized())
        }
        admin.get("/reconciliation-reports") { request, _ in
            let limit = try ListParameters.limit(request.queryParameters)
            let rows = try await core.database.platformTransaction { connection in
                try await connection.query("""
                    SELECT id, started_at, finished_at, examined, matched, fixed, jsonb_array_length(amount_mismatches),
                           jsonb_array_length(unknown_at_provider), jsonb_array_length(errors)
                    FROM payouts.reconciliation_reports ORDER BY started_at DESC LIMIT \(Int64(limit + 1))
                    """).map { row -> JSONValue in
                    let (id, started, finished, examined, matched, fixed, mismatches, unknown, errors) =
                        try row.decode((String, Date, Date, Int32, Int32, Int32, Int32, Int32, Int32).self)
                    return ["id": .string(id), "object": "reconciliation_report", "started_at": .string(Timestamp.rfc3339(started)),
                            "finished_at": .string(Timestamp.rfc3339(finished)), "examined": .int(Int64(examined)),
                            "matched": .int(Int64(matched)), "fixed": .int(Int64(fixed)), "amount_mismatches": .int(Int64(mismatches)),
                            "unknown_at_provider": .int(Int64(unknown)), "errors": .int(Int64(errors))]
                }
            }
            return .json(.ok, bytes: ListParameters.page(Array(rows.prefix(limit)), hasMore: rows.count > limit))
        }
        admin.get("/reconciliation-reports/{id}") { _, context in
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .reconciliationReport) else { throw HTTPError.notFound("No such report.", param: "id") }
            guard let row = try await core.database.platformTransaction({ connection in
                try await connection.query("""
                    SELECT jsonb_build_object('id', id, 'object', 'reconciliation_report', 'started_at', started_at, 'finished_at', finished_at,
                        'examined', examined, 'matched', matched, 'fixed', fixed, 'fixes', fixes, 'amount_mismatches', amount_mismatches,
                        'unknown_at_provider', unknown_at_provider, 'errors', errors)::text
                    FROM payouts.reconciliation_reports WHERE id = \(id)
                    """).first
            }) else { throw HTTPError.notFound("No such report.", param: "id") }
            return .json(.ok, bytes: Array(try row.decode(String.self, at: 0).utf8))
        }
        admin.post("/reconciliation/run") { request, _ in
            _ = try BodyReader(request.body, allowed: [])
            return .json(.ok, bytes: try await reconciler.run().serialized())
        }
        admin.post("/provider-balances/sync") { request, _ in
            _ = try BodyReader(request.body, allowed: [])
            let recorded = try await balanceSync.run()
            return .json(.ok, bytes: JSONValue.object(["object": "provider_balance_sync", "recorded": .int(Int64(recorded))]).serialized())
        }
        admin.get("/provider-balances") { _, _ in
            let rows = try await core.database.platformTransaction { connection in
                try await connection.query("""
                    SELECT connector_id, tenant_id, currency, available, queued, recorded_at FROM payouts.provider_balances
                    ORDER BY tenant_id, connector_id, currency
                    """).map { row -> JSONValue in
                    let (connector, tenant, currency, available, queued, recorded) = try row.decode((String, String, String, Int64, Int64, Date).self)
                    return ["connector_id": .string(connector), "tenant_id": .string(tenant), "currency": .string(currency),
                            "available": .int(available), "queued": .int(queued), "covers_queue": .bool(available >= queued),
                            "recorded_at": .string(Timestamp.rfc3339(recorded))]
                }
            }
            return .json(.ok, bytes: ListParameters.page(rows, hasMore: false))
        }
        admin.post("/keys/rotate") { request, context in
            _ = try BodyReader(request.body, allowed: [])
            let count = try await OperatorActions(core: core).resealDestinations(actor: actor(context), correlationID: context.correlationID)
            return .json(.ok, bytes: JSONValue.object(["object": "key_rotation", "resealed_payee_destinations": .int(Int64(count)),
                                                       "key_version": .int(Int64(core.vault.keyring.currentVersion))]).serialized())
        }
    }

    static func actor(_ context: RequestContext) -> String { "operator:" + (context.adminPrincipal?.name ?? "unknown") }
}
