import Foundation
import HTTP
import Platform
import Shared

/// `/v1/payments` and `/v1/refunds`: thin — read the request, call the service, answer.
enum PaymentRoutes {
    static let writers: Set<APIKeyRole> = [.full]
    static let approvers: Set<APIKeyRole> = [.full, .approver]
    static let readers: Set<APIKeyRole> = Set(APIKeyRole.allCases)

    static func register(on v1: RouterGroup, payments: PaymentService, refunds: RefundService) {
        v1.post("/payments") { request, context in
            let key = try context.requireRole(writers)
            let input = try CreatePaymentRequest(body: request.body)
            return try await payments.create(input, request: RequestInfo(key: key, context: context))
        }
        v1.get("/payments") { request, context in
            let key = try context.requireRole(readers)
            let filter = try listFilter(request.queryParameters)
            return .json(.ok, bytes: try await payments.list(tenantID: key.tenantID, livemode: key.livemode, filter: filter))
        }
        v1.get("/payments/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(.ok, bytes: try await payments.load(context.parameter("id"), tenantID: key.tenantID, livemode: key.livemode).json.serialized())
        }
        v1.post("/payments/{id}/capture") { request, context in
            let key = try context.requireRole(writers)
            let reader = try BodyReader(request.body, allowed: ["amount_to_capture"])
            let amount = try reader.amount("amount_to_capture", required: false)
            let id = try paymentID(context)
            return try await payments.capture(id, amount: amount, request: RequestInfo(key: key, context: context))
        }
        v1.post("/payments/{id}/cancel") { request, context in
            let key = try context.requireRole(writers)
            _ = try BodyReader(request.body, allowed: [])
            return try await payments.cancel(try paymentID(context), request: RequestInfo(key: key, context: context))
        }
        v1.post("/payments/{id}/refunds") { request, context in
            let key = try context.requireRole(writers)
            let input = try RefundService.CreateInput(body: request.body)
            return try await refunds.create(paymentID: try paymentID(context), input: input, request: RequestInfo(key: key, context: context))
        }
        v1.get("/payments/{id}/refunds") { request, context in
            let key = try context.requireRole(readers)
            let id = try paymentID(context)
            _ = try await payments.load(id, tenantID: key.tenantID, livemode: key.livemode)
            let query = request.queryParameters
            return .json(.ok, bytes: try await refunds.list(tenantID: key.tenantID, livemode: key.livemode, paymentID: id,
                                                            limit: try ListParameters.limit(query),
                                                            startingAfter: try cursor(query, .refund)))
        }
        v1.get("/refunds") { request, context in
            let key = try context.requireRole(readers)
            let query = request.queryParameters
            let paymentID = try query["payment_id"].map { id throws(HTTPError) -> String in
                guard CofferID.isValid(id, prefix: .payment) else {
                    throw HTTPError.badRequest("payment_id must be a pay_ id.", code: "invalid_id", param: "payment_id")
                }
                return id
            }
            return .json(.ok, bytes: try await refunds.list(tenantID: key.tenantID, livemode: key.livemode, paymentID: paymentID,
                                                            limit: try ListParameters.limit(query),
                                                            startingAfter: try cursor(query, .refund)))
        }
        v1.get("/refunds/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(.ok, bytes: try await refunds.load(context.parameter("id"), tenantID: key.tenantID, livemode: key.livemode).json.serialized())
        }
        v1.post("/refunds/{id}/approve") { request, context in
            let key = try context.requireRole(approvers)
            _ = try BodyReader(request.body, allowed: [])
            return try await refunds.approve(context.parameter("id"), request: RequestInfo(key: key, context: context))
        }
        v1.post("/refunds/{id}/cancel") { request, context in
            let key = try context.requireRole(approvers)
            _ = try BodyReader(request.body, allowed: [])
            return try await refunds.cancel(context.parameter("id"), request: RequestInfo(key: key, context: context))
        }
    }

    /// Another tenant's id and a malformed id read the same: 404.
    private static func paymentID(_ context: RequestContext) throws(HTTPError) -> String {
        let id = context.parameter("id")
        guard CofferID.isValid(id, prefix: .payment) else { throw HTTPError.notFound("No such payment: \(id)", param: "id") }
        return id
    }

    private static func cursor(_ query: [String: String], _ prefix: IDPrefix) throws(HTTPError) -> String? {
        guard let after = query["starting_after"] else { return nil }
        guard CofferID.isValid(after, prefix: prefix) else {
            throw HTTPError.badRequest("starting_after must be a \(prefix.rawValue)_ id from a previous page.", code: "invalid_id",
                                       param: "starting_after")
        }
        return after
    }

    static func listFilter(_ query: [String: String]) throws -> PaymentService.ListFilter {
        var filter = PaymentService.ListFilter()
        filter.limit = try ListParameters.limit(query)
        filter.startingAfter = try cursor(query, .payment)
        if let status = query["status"] {
            guard PaymentStatus(rawValue: status) != nil else {
                throw HTTPError.badRequest("status must be one of \(PaymentStatus.allCases.map(\.rawValue).joined(separator: ", ")).",
                                           param: "status")
            }
            filter.status = status
        }
        if let provider = query["provider"] {
            guard let name = ProviderName(rawValue: provider), name != .standard else {
                throw HTTPError.badRequest("provider is not one Coffer supports.", param: "provider")
            }
            filter.provider = provider
        }
        if let payee = query["payee_id"] {
            guard CofferID.isValid(payee, prefix: .payee) else {
                throw HTTPError.badRequest("payee_id must be a pe_ id.", code: "invalid_id", param: "payee_id")
            }
            filter.payeeID = payee
        }
        for (name, keyPath) in [("created[gte]", \PaymentService.ListFilter.createdGTE), ("created[lt]", \PaymentService.ListFilter.createdLT)] {
            guard let text = query[name] else { continue }
            guard let date = Timestamp.parse(text) ?? Int64(text).map({ Date(timeIntervalSince1970: TimeInterval($0)) }) else {
                throw HTTPError.badRequest("\(name) must be an RFC 3339 time or Unix seconds.", param: name)
            }
            filter[keyPath: keyPath] = date
        }
        return filter
    }
}
