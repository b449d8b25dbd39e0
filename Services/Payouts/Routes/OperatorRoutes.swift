import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// Payouts' operator API (`/admin/…` on the internal listener, named operator tokens): credits to a
/// payee, forcing a stuck payout to a state (two operators for live money), balance holds, reconciliation
/// reports and runs, provider balances, and re-sealing payee destinations after a master-key rotation.
/// Every change is audited with the operator's name.
enum OperatorRoutes {
    static func register(
        on admin: RouterGroup, core: PayoutsCore, operators: Operators, holds: BalanceHolds,
        reconciler: PayoutReconciler,
        balanceSync: ProviderBalanceSync
    ) {
        admin.get("/balance-holds") { request, _ in
            var status: BalanceHold.Status?
            if let text = request.queryParameters["status"] {
                guard let parsed = BalanceHold.Status(rawValue: text) else {
                    throw HTTPError.badRequest("status must be held, reversal_requested or reversed.", param: "status")
                }
                status = parsed
            }
            return .json(
                .ok, bytes: ListParameters.page(try await holds.list(status: status).map(\.json), hasMore: false))
        }
        admin.post("/balance-holds/{id}/reverse") { request, context in
            let reader = try BodyReader(request.body, allowed: ["reason"])
            guard let reason = try reader.string("reason", maxLength: 500), !reason.isEmpty else {
                throw HTTPError.badRequest(
                    "reason is required: say why the crossed money is reversed.", param: "reason")
            }
            switch try await holds.reverse(
                context.parameter("id"), operator: name(context), reason: reason, correlationID: context.correlationID)
            {
            case .requested(let hold): return .json(.accepted, bytes: hold.json.serialized())
            case .reversed(let hold): return .json(.ok, bytes: hold.json.serialized())
            }
        }
        admin.get("/livemode-report") { _, _ in .json(.ok, bytes: try await holds.report().serialized()) }
        admin.post("/payees/{id}/credits") { request, context in
            let reader = try BodyReader(request.body, allowed: ["amount", "currency", "reason"])
            let amount = try reader.amount("amount", required: true) ?? 0
            let currency = try reader.currency("currency")
            guard let reason = try reader.string("reason", maxLength: 500), !reason.isEmpty else {
                throw HTTPError.badRequest("reason is required: say why the payee is credited.", param: "reason")
            }
            switch try await operators.credit(
                payeeID: context.parameter("id"), money: Money(minorUnits: amount, currency: currency), reason: reason,
                operator: name(context), correlationID: context.correlationID)
            {
            case .applied(let credit): return .json(.created, bytes: credit.serialized())
            case .awaitingSecondOperator(let request): return .json(.accepted, bytes: request.serialized())
            }
        }
        admin.post("/credit-requests/{id}/approve") { request, context in
            _ = try BodyReader(request.body, allowed: [])
            let credit = try await operators.approveCredit(
                context.parameter("id"), operator: name(context), correlationID: context.correlationID)
            return .json(.created, bytes: credit.serialized())
        }
        admin.post("/payouts/{id}/force-resolve") { request, context in
            let reader = try BodyReader(request.body, allowed: ["status", "reason"])
            guard let status = try reader.string("status", maxLength: 20, allowed: ["processed", "failed", "reversed"])
            else {
                throw HTTPError.badRequest("status is required: processed, failed or reversed.", param: "status")
            }
            guard let reason = try reader.string("reason", maxLength: 500), !reason.isEmpty else {
                throw HTTPError.badRequest("reason is required: say what the provider confirmed.", param: "reason")
            }
            switch try await operators.forceResolve(
                payoutID: context.parameter("id"), to: PayoutStatus(rawValue: status) ?? .failed, reason: reason,
                operator: name(context), correlationID: context.correlationID)
            {
            case .applied(let payout): return .json(.ok, bytes: payout.json.serialized())
            case .awaitingSecondOperator(let request): return .json(.accepted, bytes: request.serialized())
            }
        }
        admin.get("/reconciliation-reports") { request, _ in
            let limit = try ListParameters.limit(request.queryParameters)
            let reports = try await core.database.platformTransaction { connection in
                try await core.reconciliation.reports(limit: limit + 1, on: connection)
            }
            return .json(.ok, bytes: ListParameters.page(Array(reports.prefix(limit)), hasMore: reports.count > limit))
        }
        admin.get("/reconciliation-reports/{id}") { _, context in
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .reconciliationReport),
                let report = try await core.database.platformTransaction({ connection in
                    try await core.reconciliation.report(id, on: connection)
                })
            else { throw HTTPError.notFound("No such report.", param: "id") }
            return .json(.ok, bytes: report.json.serialized())
        }
        admin.post("/reconciliation/run") { request, _ in
            _ = try BodyReader(request.body, allowed: [])
            return .json(.ok, bytes: try await reconciler.run().json.serialized())
        }
        admin.post("/provider-balances/sync") { request, _ in
            _ = try BodyReader(request.body, allowed: [])
            let recorded = try await balanceSync.run()
            return .json(
                .ok,
                bytes: JSONValue.object(["object": "provider_balance_sync", "recorded": .int(Int64(recorded))])
                    .serialized())
        }
        admin.get("/provider-balances") { _, _ in
            let balances = try await core.database.platformTransaction { connection in
                try await core.reconciliation.providerBalances(on: connection)
            }
            return .json(.ok, bytes: ListParameters.page(balances, hasMore: false))
        }
        admin.post("/keys/rotate") { request, context in
            _ = try BodyReader(request.body, allowed: [])
            let count = try await operators.resealDestinations(
                actor: "operator:" + name(context), correlationID: context.correlationID)
            return .json(
                .ok,
                bytes: JSONValue.object([
                    "object": "key_rotation", "resealed_payee_destinations": .int(Int64(count)),
                    "key_version": .int(Int64(core.vault.keyring.currentVersion)),
                ]).serialized())
        }
    }

    static func name(_ context: RequestContext) -> String { context.adminPrincipal?.name ?? "unknown" }
}
