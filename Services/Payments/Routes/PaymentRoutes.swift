import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// `/v1/payments` and `/v1/refunds`: decode, call, encode.
enum PaymentRoutes {
    static let writers: Set<APIKeyRole> = [.full]
    static let approvers: Set<APIKeyRole> = [.full, .approver]
    static let readers: Set<APIKeyRole> = Set(APIKeyRole.allCases)

    static func register(on v1: RouterGroup, payments: Payments, refunds: Refunds) {
        v1.post("/payments") { request, context in
            let info = RequestInfo(key: try context.requireRole(writers), context: context)
            let new = try Payments.NewPayment(body: request.body)
            let answer = PaymentAnswers.payment(.created, info)
            return PaymentAnswers.response(try await payments.create(new, info, answer: answer), answer)
        }
        v1.get("/payments") { request, context in
            let key = try context.requireRole(readers)
            let page = try await payments.list(
                tenantID: key.tenantID, livemode: key.livemode,
                filter: try PaymentQueries.paymentFilter(request.queryParameters))
            return .json(.ok, bytes: ListParameters.page(page.payments.map(\.json), hasMore: page.hasMore))
        }
        v1.get("/payments/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(
                .ok,
                bytes: try await payments.load(context.parameter("id"), tenantID: key.tenantID, livemode: key.livemode)
                    .json.serialized())
        }
        v1.post("/payments/{id}/capture") { request, context in
            let info = RequestInfo(key: try context.requireRole(writers), context: context)
            let reader = try BodyReader(request.body, allowed: ["amount_to_capture"])
            let amount = try reader.amount("amount_to_capture", required: false)
            let answer = PaymentAnswers.payment(.ok, info)
            return PaymentAnswers.response(
                try await payments.capture(try PaymentQueries.paymentID(context), amount: amount, info, answer: answer),
                answer)
        }
        v1.post("/payments/{id}/cancel") { request, context in
            let info = RequestInfo(key: try context.requireRole(writers), context: context)
            _ = try BodyReader(request.body, allowed: [])
            let answer = PaymentAnswers.payment(.ok, info)
            return PaymentAnswers.response(
                try await payments.cancel(try PaymentQueries.paymentID(context), info, answer: answer), answer)
        }
        v1.post("/payments/{id}/refunds") { request, context in
            let info = RequestInfo(key: try context.requireRole(writers), context: context)
            let new = try Refunds.NewRefund(body: request.body)
            let answer = PaymentAnswers.refund(.created, info)
            return PaymentAnswers.response(
                try await refunds.create(paymentID: try PaymentQueries.paymentID(context), new, info, answer: answer),
                answer)
        }
        v1.get("/payments/{id}/refunds") { request, context in
            let key = try context.requireRole(readers)
            let id = try PaymentQueries.paymentID(context)
            _ = try await payments.load(id, tenantID: key.tenantID, livemode: key.livemode)
            let query = request.queryParameters
            let page = try await refunds.list(
                tenantID: key.tenantID, livemode: key.livemode, paymentID: id, limit: try ListParameters.limit(query),
                startingAfter: try PaymentQueries.cursor(query, .refund))
            return .json(.ok, bytes: ListParameters.page(page.refunds.map(\.json), hasMore: page.hasMore))
        }
        v1.get("/refunds") { request, context in
            let key = try context.requireRole(readers)
            let query = request.queryParameters
            let page = try await refunds.list(
                tenantID: key.tenantID, livemode: key.livemode,
                paymentID: try PaymentQueries.refundPaymentFilter(query),
                limit: try ListParameters.limit(query), startingAfter: try PaymentQueries.cursor(query, .refund))
            return .json(.ok, bytes: ListParameters.page(page.refunds.map(\.json), hasMore: page.hasMore))
        }
        v1.get("/refunds/{id}") { _, context in
            let key = try context.requireRole(readers)
            return .json(
                .ok,
                bytes: try await refunds.load(context.parameter("id"), tenantID: key.tenantID, livemode: key.livemode)
                    .json.serialized())
        }
        v1.post("/refunds/{id}/approve") { request, context in
            let info = RequestInfo(key: try context.requireRole(approvers), context: context)
            _ = try BodyReader(request.body, allowed: [])
            let answer = PaymentAnswers.refund(.ok, info)
            return PaymentAnswers.response(
                try await refunds.approve(context.parameter("id"), info, answer: answer), answer)
        }
        v1.post("/refunds/{id}/cancel") { request, context in
            let info = RequestInfo(key: try context.requireRole(approvers), context: context)
            _ = try BodyReader(request.body, allowed: [])
            return .json(.ok, bytes: try await refunds.cancel(context.parameter("id"), info).json.serialized())
        }
    }
}
