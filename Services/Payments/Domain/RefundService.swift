import Foundation
import HTTP
import Platform
import Postgres
import ProviderKit
import Shared

/// Refunds. A refund reserves its amount on the payment in the transaction that creates it — the
/// database refuses reservations beyond what was captured, however many requests race — then is sent
/// to the provider under `coffer-<refund id>`, or waits for approval when the tenant's policy says so.
struct RefundService: Sendable {
    let core: PaymentsCore

    struct CreateInput: Sendable {
        static let fields: Set<String> = ["amount", "reason", "metadata"]
        static let reasons: Set<String> = ["duplicate", "fraudulent", "requested_by_customer", "other"]
        let amount: Int64?
        let reason: String?
        let metadata: JSONValue

        init(body: [UInt8]) throws(HTTPError) {
            let reader = try BodyReader(body, allowed: Self.fields)
            amount = try reader.amount("amount", required: false)
            reason = try reader.string("reason", maxLength: 40, allowed: Self.reasons)
            metadata = try reader.metadata()
        }
    }

    func create(paymentID: String, input: CreateInput, request: RequestInfo) async throws -> HTTPResponse {
        if let token = request.token, let refundID = token.recoveryPoint {
            return try await resume(refundID, request: request)
        }
        let settings = try await settings(request.tenantID)
        let refundID = CofferID.generate(.refund)
        let (refund, payment) = try await core.database.tenantTransaction(request.tenantID) { connection -> (RefundRecord, PaymentRecord) in
            guard CofferID.isValid(paymentID, prefix: .payment),
                  var payment = try await PaymentRecord.load(paymentID, tenantID: request.tenantID, forUpdate: true, on: connection),
                  payment.livemode == request.key.livemode
            else { throw HTTPError.notFound("No such payment: \(paymentID)", param: "id") }
            guard payment.status == .captured || payment.status == .partiallyRefunded else {
                throw HTTPError.conflict("This payment is \(payment.status.rawValue); only captured payments can be refunded.")
            }
            let amount = input.amount ?? payment.refundable
            try checkPolicy(amount: amount, payment: payment, policy: settings.refundPolicy)
            let needsApproval = settings.refundPolicy.approvalThresholds[payment.currency.code].map { amount > $0 } ?? false
            payment.amountRefundReserved += amount
            payment = try await core.paymentEffects.save(payment, on: connection)
            guard let row = try await connection.query("""
                INSERT INTO payments.refunds AS r (id, tenant_id, payment_id, amount, currency, status, reason, metadata, created_by)
                VALUES (\(refundID), \(request.tenantID), \(paymentID), \(amount), \(payment.currency.code),
                        \(needsApproval ? "pending_approval" : "pending"), \(input.reason), \(input.metadata.jsonString)::jsonb, \(request.actor))
                RETURNING \(unsafeSQL: RefundRecord.columns)
                """).first
            else { throw PaymentsInvariantError("refund insert returned no row") }
            let refund = try RefundRecord(row: row)
            try await core.audit.record(AuditEntry(tenantID: request.tenantID, actor: request.actor, action: "refund.created",
                                                   objectType: "refund", objectID: refundID, before: nil, after: refund.json,
                                                   correlationID: request.correlationID), on: connection)
            if needsApproval {
                var events = PendingEvents(source: "payments", tenantID: request.tenantID, correlationID: request.correlationID)
                events.add(PaymentEventType.refundPendingApproval, data: refund.json, orderingKey: paymentID)
                try await events.write(to: core.outbox, on: connection)
            }
            if let token = request.token { try await core.idempotency.setRecoveryPoint(token, objectID: refundID, on: connection) }
            return (refund, payment)
        }
        if refund.status == .pendingApproval {
            core.outbox.nudge()
            return try await answer(refund, status: .created, request: request)
        }
        return try await send(refund, payment: payment, request: request)
    }

    /// The tenant's refund policy; the database's CHECK is the last word on over-refunding.
    private func checkPolicy(amount: Int64, payment: PaymentRecord, policy: TenantSettings.RefundPolicy) throws(HTTPError) {
        guard amount > 0 else {
            throw HTTPError.badRequest("Nothing is left to refund on this payment.", code: "amount_too_large", param: "amount")
        }
        guard amount <= payment.refundable else {
            throw HTTPError.badRequest("amount exceeds what is left to refund (\(payment.refundable)).", code: "amount_too_large", param: "amount")
        }
        if policy.windowDays > 0, let capturedAt = payment.capturedAt,
           capturedAt.adding(.seconds(Int64(policy.windowDays) * 86_400)) < Date() {
            throw HTTPError.conflict("The refund window of \(policy.windowDays) days has passed for this payment.",
                                     code: "refund_window_expired")
        }
        let maxTotal = payment.amountCaptured * Int64(policy.maxRefundShareBPS) / 10_000
        if payment.amountRefunded + payment.amountRefundReserved + amount > maxTotal {
            throw HTTPError.badRequest("The tenant's policy allows refunding at most \(policy.maxRefundShareBPS / 100)% of a payment.",
                                       code: "refund_exceeds_policy", param: "amount")
        }
    }

    func approve(_ refundID: String, request: RequestInfo) async throws -> HTTPResponse {
        let outcome = try await core.database.tenantTransaction(request.tenantID) { connection -> (RefundRecord, PaymentRecord?) in
            let (refund, payment) = try await lockRefund(refundID, request: request, on: connection)
            guard refund.status == .pendingApproval else {
                // Approving again what this approval already sent is answered with the refund as it is now.
                if refund.approvedBy != nil, refund.status != .canceled { return (refund, nil) }
                throw HTTPError.conflict("This refund is \(refund.status.rawValue); only a refund pending approval can be approved.")
            }
            guard refund.createdBy != request.actor else {
                throw HTTPError.forbidden("A refund must be approved by a different API key than the one that requested it.",
                                          code: "approver_must_differ")
            }
            var approved = refund
            approved.status = .pending
            approved.approvedBy = request.actor
            approved = try await approved.save(on: connection)
            try await core.audit.record(AuditEntry(tenantID: request.tenantID, actor: request.actor, action: "refund.approved",
                                                   objectType: "refund", objectID: refundID, before: refund.json, after: approved.json,
                                                   correlationID: request.correlationID), on: connection)
            if let token = request.token { try await core.idempotency.setRecoveryPoint(token, objectID: refundID, on: connection) }
            return (approved, payment)
        }
        guard let payment = outcome.1 else { return try await answer(outcome.0, status: .ok, request: request) }
        return try await send(outcome.0, payment: payment, request: request, successStatus: .ok)
    }

    /// Declines a refund waiting for approval: its reservation is released.
    func cancel(_ refundID: String, request: RequestInfo) async throws -> HTTPResponse {
        let refund = try await core.database.tenantTransaction(request.tenantID) { connection -> RefundRecord in
            let (refund, payment) = try await lockRefund(refundID, request: request, on: connection)
            if refund.status == .canceled { return refund }
            guard refund.status == .pendingApproval else {
                throw HTTPError.conflict("This refund is \(refund.status.rawValue); only a refund pending approval can be canceled.")
            }
            var released = payment
            released.amountRefundReserved -= refund.amount
            _ = try await core.paymentEffects.save(released, on: connection)
            var canceled = refund
            canceled.status = .canceled
            canceled.approvedBy = request.actor
            canceled = try await canceled.save(on: connection)
            try await core.audit.record(AuditEntry(tenantID: request.tenantID, actor: request.actor, action: "refund.canceled",
                                                   objectType: "refund", objectID: refundID, before: refund.json, after: canceled.json,
                                                   correlationID: request.correlationID), on: connection)
            var events = PendingEvents(source: "payments", tenantID: request.tenantID, correlationID: request.correlationID)
            events.add(PaymentEventType.refundCanceled, data: canceled.json, orderingKey: payment.id)
            try await events.write(to: core.outbox, on: connection)
            return canceled
        }
        core.outbox.nudge()
        return try await answer(refund, status: .ok, request: request)
    }

    /// Locks a refund of the tenant in the key's mode, and its payment (payment first, then refund:
    /// the order every flow locks in).
    private func lockRefund(_ refundID: String, request: RequestInfo, livemode: Bool? = nil,
                            on connection: PostgresConnection) async throws -> (RefundRecord, PaymentRecord) {
        let tenantID = request.tenantID
        guard CofferID.isValid(refundID, prefix: .refund),
              let peek = try await RefundRecord.load(refundID, tenantID: tenantID, on: connection),
              let payment = try await PaymentRecord.load(peek.paymentID, tenantID: tenantID, forUpdate: true, on: connection),
              payment.livemode == (livemode ?? request.key.livemode),
              let refund = try await RefundRecord.load(refundID, tenantID: tenantID, forUpdate: true, on: connection)
        else { throw HTTPError.notFound("No such refund: \(refundID)", param: "id") }
        return (refund, payment)
    }

    private func resume(_ refundID: String, request: RequestInfo) async throws -> HTTPResponse {
        let (refund, payment) = try await core.database.tenantTransaction(request.tenantID) { connection in
            try await lockRefund(refundID, request: request, on: connection)
        }
        if refund.status == .pending, refund.providerRefundID == nil {
            request.logger.notice("resuming a refund after an interrupted request", ["refund_id": .string(refundID)])
            return try await send(refund, payment: payment, request: request)
        }
        return try await answer(refund, status: refund.status == .pending ? .accepted : .created, request: request)
    }

    /// Calls the provider and applies the answer (also used by the resolver for refunds left pending).
    func send(_ refund: RefundRecord, payment: PaymentRecord, request: RequestInfo?, successStatus: HTTPStatus = .created) async throws
        -> HTTPResponse {
        guard let connector = try await core.connector(for: payment), let providerPaymentID = payment.providerPaymentID else {
            throw PaymentsInvariantError("payment \(payment.id) has no connector or provider id")
        }
        let providerRequest = ProviderRefundRequest(refundID: refund.id, providerPaymentID: providerPaymentID,
                                                    amount: Money(minorUnits: refund.amount, currency: refund.currency), reason: refund.reason,
                                                    idempotencyKey: PaymentService.providerKey(refund.id))
        let result: Result<ProviderRefundState, ProviderError>
        do {
            result = .success(try await core.gateway.call("refund", tenantID: payment.tenantID, connector: connector) { adapter async throws(ProviderError) in
                try await adapter.refund(providerRequest, connector: connector)
            })
        } catch {
            result = .failure(error)
        }
        let logger = request?.logger ?? core.logger
        let correlationID = request?.correlationID
        let response = try await core.database.tenantTransaction(payment.tenantID) { connection -> HTTPResponse in
            guard let payment = try await PaymentRecord.load(payment.id, tenantID: payment.tenantID, forUpdate: true, on: connection),
                  let locked = try await RefundRecord.load(refund.id, tenantID: payment.tenantID, forUpdate: true, on: connection)
            else { throw PaymentsInvariantError("refund \(refund.id) vanished") }
            let outcome: RefundEffects.Outcome?
            var refusal: ProviderError?
            switch result {
            case .success(let state):
                outcome = .init(status: state.status, providerRefundID: state.providerRefundID, source: "api")
            case .failure(let error) where ProviderRefusal.isFinal(error):
                logger.warning("provider refused the refund", ["refund_id": .string(refund.id), "error": .string(error.description)])
                outcome = .init(status: .failed, providerRefundID: nil, failureCode: error.code ?? error.kind.rawValue,
                                failureMessage: error.message, source: "api")
                refusal = error
            case .failure(let error):
                logger.warning("refund outcome unknown; the resolver will finish it", ["refund_id": .string(refund.id),
                                                                                      "error": .string(error.description)])
                outcome = nil
            }
            var current = locked
            if let outcome {
                current = try await core.refundEffects.apply(outcome, refund: locked, payment: payment, correlationID: correlationID,
                                                             logger: logger, on: connection).0
            }
            let response = refusal.map { ProviderRefusal.response($0, object: ("refund", current.json), requestID: request?.requestID ?? "") }
                ?? HTTPResponse.json(current.status == .pending ? .accepted : successStatus, bytes: current.json.serialized())
            if let token = request?.token {
                try await core.idempotency.complete(token, status: response.status.code, body: response.body, on: connection)
            }
            return response
        }
        core.outbox.nudge()
        return response
    }

    private func answer(_ refund: RefundRecord, status: HTTPStatus, request: RequestInfo) async throws -> HTTPResponse {
        let response = HTTPResponse.json(status, bytes: refund.json.serialized())
        if let token = request.token { try await core.idempotency.complete(token, status: status.code, body: response.body) }
        return response
    }

    private func settings(_ tenantID: String) async throws -> TenantSettings {
        try await core.database.tenantTransaction(tenantID) { connection in
            guard let text = try await connection.query("SELECT settings::text FROM payments.tenants WHERE id = \(tenantID)").first?
                .decode(String.self, at: 0)
            else { throw HTTPError.notFound("No such tenant.") }
            return try TenantSettings(json: JSONValue.parse(text))
        }
    }

    // MARK: Reading

    /// A refund of the tenant whose payment is in the key's mode (`livemode` nil: either).
    func load(_ refundID: String, tenantID: String, livemode: Bool?) async throws -> RefundRecord {
        guard CofferID.isValid(refundID, prefix: .refund),
              let refund = try await core.database.tenantTransaction(tenantID, { connection -> RefundRecord? in
                  try await connection.query("""
                      SELECT \(unsafeSQL: RefundRecord.columns) FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id
                      WHERE r.id = \(refundID) AND r.tenant_id = \(tenantID) AND (\(livemode)::boolean IS NULL OR p.livemode = \(livemode))
                      """).first.map(RefundRecord.init(row:))
              })
        else { throw HTTPError.notFound("No such refund: \(refundID)", param: "id") }
        return refund
    }

    func list(tenantID: String, livemode: Bool, paymentID: String?, limit: Int, startingAfter: String?) async throws -> [UInt8] {
        let rows = try await core.database.tenantTransaction(tenantID) { connection in
            try await connection.query("""
                SELECT \(unsafeSQL: RefundRecord.columns) FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id
                WHERE r.tenant_id = \(tenantID) AND p.livemode = \(livemode)
                  AND (\(paymentID)::text IS NULL OR r.payment_id = \(paymentID))
                  AND (\(startingAfter)::text IS NULL OR r.id < \(startingAfter))
                ORDER BY r.id DESC LIMIT \(Int64(limit + 1))
                """).map(RefundRecord.init(row:))
        }
        return ListParameters.page(rows.prefix(limit).map(\.json), hasMore: rows.count > limit)
    }
}
