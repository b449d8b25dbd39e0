import Foundation
import HTTP
import Platform
import Shared

/// `/v1/payees` and `/v1/balances`: decode, call, encode.
enum PayeeRoutes {
    static func register(on v1: RouterGroup, payees: Payees) {
        v1.post("/payees") { request, context in
            let key = try context.requireRole(PayoutRoutes.writers)
            let changes = try Payees.Changes(body: request.body, creating: true)
            let (payee, destination) = try await payees.create(changes, RequestInfo(key: key, context: context))
            return .json(.created, bytes: payee.json(destination: destination).serialized())
        }
        v1.get("/payees") { request, context in
            let key = try context.requireRole(PayoutRoutes.readers)
            let page = try await payees.list(
                RequestInfo(key: key, context: context), filter: try ListFilters.payees(request.queryParameters))
            return .json(
                .ok, bytes: ListParameters.page(page.payees.map { $0.0.json(destination: $0.1) }, hasMore: page.hasMore)
            )
        }
        v1.get("/payees/{id}") { _, context in
            let key = try context.requireRole(PayoutRoutes.readers)
            let (payee, destination, balances) = try await payees.get(
                context.parameter("id"), RequestInfo(key: key, context: context))
            return .json(.ok, bytes: payee.json(destination: destination, balances: balances).serialized())
        }
        v1.post("/payees/{id}") { request, context in
            let key = try context.requireRole(PayoutRoutes.writers)
            let id = context.parameter("id")
            guard CofferID.isValid(id, prefix: .payee) else {
                throw HTTPError.notFound("No such payee: \(id)", param: "id")
            }
            let changes = try Payees.Changes(body: request.body, creating: false)
            let (payee, destination) = try await payees.update(id, changes, RequestInfo(key: key, context: context))
            return .json(.ok, bytes: payee.json(destination: destination).serialized())
        }
        v1.get("/balances") { request, context in
            let key = try context.requireRole(PayoutRoutes.readers)
            guard let payee = request.queryParameters["payee_id"], CofferID.isValid(payee, prefix: .payee) else {
                throw HTTPError.badRequest("payee_id is required.", code: "invalid_id", param: "payee_id")
            }
            let (_, _, balances) = try await payees.get(payee, RequestInfo(key: key, context: context))
            return .json(.ok, bytes: ListParameters.page(balances.map(\.json), hasMore: false))
        }
    }
}
