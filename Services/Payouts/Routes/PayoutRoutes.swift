import Foundation
import HTTP
import Platform
import Shared

/// `/v1/payees`, `/v1/balances`, `/v1/payouts`, `/v1/payout-batches`: thin — read, call, answer.
enum PayoutRoutes {
    static let writers: Set<APIKeyRole> = [.full]
    static let approvers: Set<APIKeyRole> = [.full, .approver]
    static let readers: Set<APIKeyRole> = Set(APIKeyRole.allCases)

    /// Routes that move money out (create, approve, release, confirm the first run; batches check
    /// after reading whether they are a dry run) first require a recently confirmed tenancy copy, so a
    /// revoked key or a suspended tenant cannot move money on a stale copy.
    static func register(on v1: RouterGroup, payees: PayeeStore, payouts: PayoutService, freshness: TenancyFreshness, batches: BatchService) {
        v1.post("/payees") { request, context in
            let key = try context.requireRole(writers)
            let input = try PayeeStore.Input(body: request.body, creating: true)
            return .json(.created, bytes: try await payees.create(input, request: RequestInfo(key: key, context: context)).serialized())
        }
        v1.get("/payees") { request, context in
            let key = try context.requireRole(readers)
            let query = request.queryParameters
            if let after = query["starting_after"], !CofferID.isValid(after, prefix: .payee) {
                throw HTTPError.badRequest("starting_after must be a pe_ id from a previous page.", code: "invalid_id", param: "starting_after")
            }
            return .json(.ok, bytes: try await payees.list(request: RequestInfo(key: key, context: context), limit: try ListParameters.limit(query),
                                                          startingAfter: query["starting_after"], type: query["type"], status: query["status"]))
        }
        v1.get("/payees/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(.ok, bytes: try await payees.get(context.parameter("id"), request: RequestInfo(key: key, context: context)).serialized())
        }
        v1.post("/payees/{id}") { request, context in
            let key = try context.requireRole(writers)
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .payee) else { throw HTTPError.notFound("No such payee: \(id)", param: "id") }
            let input = try PayeeStore.Input(body: request.body, creating: false)
            return .json(.ok, bytes: try await payees.update(id, input: input, request: RequestInfo(key: key, context: context)).serialized())
        }
        v1.post("/payouts") { request, context in
            let key = try context.requireRole(writers)
            try freshness.requireConfirmed()
            let input = try PayoutService.CreateInput(body: request.body)
            return try await payouts.create(input, request: RequestInfo(key: key, context: context))
        }
        v1.get("/payouts") { request, context in
            let key = try context.requireRole(readers)
            return .json(.ok, bytes: try await payouts.list(request: RequestInfo(key: key, context: context), query: request.queryParameters))
        }
        v1.get("/payouts/first-run") { _, context in
            let key = try context.requireRole(readers)
            return .json(.ok, bytes: try await payouts.firstRun(request: RequestInfo(key: key, context: context)).serialized())
        }
        v1.post("/payouts/confirm-first-run") { request, context in
            let key = try context.requireRole(approvers)
            try freshness.requireConfirmed()
            _ = try BodyReader(request.body, allowed: [])
            return .json(.ok, bytes: try await payouts.confirmFirstRun(request: RequestInfo(key: key, context: context)).serialized())
        }
        v1.get("/payouts/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(.ok, bytes: try await payouts.load(context.parameter("id"), request: RequestInfo(key: key, context: context)).json.serialized())
        }
        v1.post("/payouts/{id}/cancel") { request, context in
            let key = try context.requireRole(writers)
            _ = try BodyReader(request.body, allowed: [])
            return .json(.ok, bytes: try await payouts.cancel(context.parameter("id"), request: RequestInfo(key: key, context: context)).json.serialized())
        }
        v1.post("/payouts/{id}/approve") { request, context in
            let key = try context.requireRole(approvers)
            try freshness.requireConfirmed()
            _ = try BodyReader(request.body, allowed: [])
            return .json(.ok, bytes: try await payouts.approve(context.parameter("id"), request: RequestInfo(key: key, context: context)).json.serialized())
        }
        v1.post("/payouts/{id}/release") { request, context in
            let key = try context.requireRole(approvers)
            try freshness.requireConfirmed()
            _ = try BodyReader(request.body, allowed: [])
            return .json(.ok, bytes: try await payouts.release(context.parameter("id"), request: RequestInfo(key: key, context: context)).json.serialized())
        }
        v1.post("/payout-batches") { request, context in
            let key = try context.requireRole(writers)
            return try await batches.submit(request, info: RequestInfo(key: key, context: context))
        }
        v1.get("/payout-batches/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(.ok, bytes: try await batches.get(context.parameter("id"), request: RequestInfo(key: key, context: context)).serialized())
        }
        v1.get("/balances") { request, context in
            let key = try context.requireRole(readers)
            guard let payee = request.queryParameters["payee_id"], CofferID.isValid(payee, prefix: .payee) else {
                throw HTTPError.badRequest("payee_id is required.", code: "invalid_id", param: "payee_id")
            }
            let json = try await payees.get(payee, request: RequestInfo(key: key, context: context))
            return .json(.ok, bytes: ListParameters.page(json["balances"]?.arrayValue ?? [], hasMore: false))
        }
    }
}
