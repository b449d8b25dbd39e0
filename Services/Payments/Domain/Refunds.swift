import Contracts
import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Refunds. A refund reserves its amount on the payment in the unit of work that creates it — the
/// database refuses reservations beyond what was captured, however many requests race — then is sent
/// to the provider under `coffer-<refund id>`, or waits for approval when the tenant's policy says so.
struct Refunds: Sendable {
    let core: PaymentsCore

    typealias Answer = @Sendable (RefundOutcome) -> StoredAnswer

    static let reasons: Set<String> = ["duplicate", "fraudulent", "requested_by_customer", "other"]

    /// A refund as asked for (decoded by the route).
    struct NewRefund: Sendable {
        let amount: Int64?
        let reason: String?
        let metadata: JSONValue
    }

    func create(paymentID: String, _ new: NewRefund, _ request: RequestInfo, answer: Answer? = nil) async throws
        -> Committed<RefundOutcome>
    {
        if let refundID = request.claim?.recoveryPoint {
            return try await resume(refundID, request, answer: answer)
        }
        let refundID = CofferID.generate(.refund)
        let (refund, payment) = try await core.work.run(request.work) { work -> (Refund, Payment) in
            let connection = work.connection
            guard let settings = try await core.tenants.settings(tenantID: request.tenantID, on: connection) else {
                throw DomainError.notFound("No such tenant.")
            }
            var payment = try await core.payment(paymentID, request, forUpdate: true, on: connection)
            guard payment.status == .captured || payment.status == .partiallyRefunded else {
                throw DomainError.conflict(
                    "This payment is \(payment.status.rawValue); only captured payments can be refunded.")
            }
            let amount = new.amount ?? payment.refundable
            try Self.checkPolicy(amount: amount, payment: payment, policy: settings.refundPolicy)
            let needsApproval =
                settings.refundPolicy.approvalThresholds[payment.currency.code].map { amount > $0 } ?? false
            payment.amountRefundReserved += amount
            // Saved before the refund's insert: the database's check on the reservation refuses an over-refund here.
            try await connection.execute(core.payments.saveQuery(payment))
            let refund = try await core.refunds.insert(
                id: refundID, tenantID: request.tenantID, paymentID: paymentID, amount: amount,
                currency: payment.currency, status: needsApproval ? .pendingApproval : .pending,
                reason: new.reason, metadata: new.metadata, createdBy: request.actor, on: connection)
            work.audit("refund.created", objectType: "refund", objectID: refundID, before: nil, after: refund.json)
            if needsApproval {
                work.publish(PaymentEventType.refundPendingApproval, data: refund.json, orderingKey: paymentID)
            }
            work.recover(at: refundID)
            return (refund, payment)
        }.value
        if refund.status == .pendingApproval { return .unrecorded(.settled(refund)) }
        return try await send(refund, payment: payment, request, answer: answer)
    }

    /// The tenant's refund policy; the database's CHECK is the last word on over-refunding.
    static func checkPolicy(amount: Int64, payment: Payment, policy: TenantSettings.RefundPolicy) throws(DomainError) {
        guard amount > 0 else {
            throw DomainError.invalid(
                "Nothing is left to refund on this payment.", code: "amount_too_large", param: "amount")
        }
        guard amount <= payment.refundable else {
            throw DomainError.invalid(
                "amount exceeds what is left to refund (\(payment.refundable)).", code: "amount_too_large",
                param: "amount")
        }
        if policy.windowDays > 0, let capturedAt = payment.capturedAt,
            capturedAt.adding(.seconds(Int64(policy.windowDays) * 86_400)) < Date()
        {
            throw DomainError.conflict(
                "The refund window of \(policy.windowDays) days has passed for this payment.",
                code: "refund_window_expired")
        }
        let maxTotal = payment.amountCaptured * Int64(policy.maxRefundShareBPS) / 10_000
        if payment.amountRefunded + payment.amountRefundReserved + amount > maxTotal {
            throw DomainError.invalid(
                "The tenant's policy allows refunding at most \(policy.maxRefundShareBPS / 100)% of a payment.",
                code: "refund_exceeds_policy", param: "amount")
        }
    }

    func approve(_ refundID: String, _ request: RequestInfo, answer: Answer? = nil) async throws -> Committed<
        RefundOutcome
    > {
        let (refund, payment) = try await core.work.run(request.work) { work -> (Refund, Payment?) in
            let (refund, payment) = try await lock(refundID, request, on: work.connection)
            if let refusal = RefundLifecycle.refusal(.approve, status: refund.status) {
                // Approving again what this approval already sent is answered with the refund as it is now.
                if refund.approvedBy != nil, refund.status != .canceled { return (refund, nil) }
                throw refusal
            }
            guard refund.createdBy != request.actor else {
                throw DomainError.forbidden(
                    "A refund must be approved by a different API key than the one that requested it.",
                    code: "approver_must_differ")
            }
            var approved = refund
            approved.status = .pending
            approved.approvedBy = request.actor
            approved = try await core.refunds.save(approved, on: work.connection)
            work.audit(
                "refund.approved", objectType: "refund", objectID: refundID, before: refund.json, after: approved.json)
            work.recover(at: refundID)
            return (approved, payment)
        }.value
        guard let payment else { return .unrecorded(.settled(refund)) }
        return try await send(refund, payment: payment, request, answer: answer)
    }

    /// Declines a refund waiting for approval: its reservation is released.
    func cancel(_ refundID: String, _ request: RequestInfo) async throws -> Refund {
        try await core.work.run(request.work) { work -> Refund in
            let (refund, payment) = try await lock(refundID, request, on: work.connection)
            if refund.status == .canceled { return refund }
            if let refusal = RefundLifecycle.refusal(.cancel, status: refund.status) { throw refusal }
            var released = payment
            released.amountRefundReserved -= refund.amount
            _ = core.paymentEffects.save(released, in: &work)
            var canceled = refund
            canceled.status = .canceled
            canceled.approvedBy = request.actor
            canceled = try await core.refunds.save(canceled, on: work.connection)
            work.audit(
                "refund.canceled", objectType: "refund", objectID: refundID, before: refund.json, after: canceled.json)
            work.publish(PaymentEventType.refundCanceled, data: canceled.json, orderingKey: payment.id)
            return canceled
        }.value
    }

    /// Locks a refund of the tenant in the key's mode, and its payment (payment first, then refund: the
    /// order every flow locks in).
    private func lock(_ refundID: String, _ request: RequestInfo, on connection: PostgresConnection) async throws -> (
        Refund, Payment
    ) {
        let tenantID = request.tenantID
        guard CofferID.isValid(refundID, prefix: .refund),
            let peek = try await core.refunds.load(refundID, tenantID: tenantID, on: connection),
            let payment = try await core.payments.load(
                peek.paymentID, tenantID: tenantID, forUpdate: true, on: connection),
            payment.livemode == request.livemode,
            let refund = try await core.refunds.load(refundID, tenantID: tenantID, forUpdate: true, on: connection)
        else { throw DomainError.notFound("No such refund: \(refundID)", param: "id") }
        return (refund, payment)
    }

    private func resume(_ refundID: String, _ request: RequestInfo, answer: Answer?) async throws -> Committed<
        RefundOutcome
    > {
        let (refund, payment) = try await core.database.tenantTransaction(request.tenantID) { connection in
            try await lock(refundID, request, on: connection)
        }
        if refund.status == .pending, refund.providerRefundID == nil {
            request.logger.notice("resuming a refund after an interrupted request", ["refund_id": .string(refundID)])
            return try await send(refund, payment: payment, request, answer: answer)
        }
        return .unrecorded(refund.status == .pending ? .pending(refund) : .settled(refund))
    }

    /// Calls the provider and applies the answer (also used by the resolver for refunds left pending).
    func send(_ refund: Refund, payment: Payment, _ request: RequestInfo, answer: Answer? = nil) async throws
        -> Committed<RefundOutcome>
    {
        guard let connector = try await core.connector(for: payment), let providerPaymentID = payment.providerPaymentID
        else {
            throw DomainError.internalFailure("payment \(payment.id) has no connector or provider id")
        }
        let providerRequest = ProviderRefundRequest(
            refundID: refund.id, providerPaymentID: providerPaymentID,
            amount: Money(minorUnits: refund.amount, currency: refund.currency), reason: refund.reason,
            idempotencyKey: PaymentsCore.providerKey(refund.id))
        let result: Result<ProviderRefundState, ProviderError>
        do {
            result = .success(
                try await core.gateway.call("refund", tenantID: payment.tenantID, connector: connector) {
                    adapter async throws(ProviderError) in
                    try await adapter.refund(providerRequest, connector: connector)
                })
        } catch {
            result = .failure(error)
        }
        let logger = request.logger
        return try await core.work.run(request.work, answer: answer) { work -> RefundOutcome in
            guard
                let payment = try await core.payments.load(
                    payment.id, tenantID: payment.tenantID, forUpdate: true, on: work.connection),
                let locked = try await core.refunds.load(
                    refund.id, tenantID: payment.tenantID, forUpdate: true, on: work.connection)
            else { throw DomainError.internalFailure("refund \(refund.id) vanished") }
            let outcome: RefundEffects.Outcome?
            var refusal: ProviderError?
            switch result {
            case .success(let state):
                outcome = .init(status: state.status, providerRefundID: state.providerRefundID, source: "api")
            case .failure(let error) where ProviderRefusal.isFinal(error):
                logger.warning(
                    "provider refused the refund",
                    ["refund_id": .string(refund.id), "error": .string(error.description)])
                outcome = .init(
                    status: .failed, providerRefundID: nil, failureCode: error.code ?? error.kind.rawValue,
                    failureMessage: error.message, source: "api")
                refusal = error
            case .failure(let error):
                logger.warning(
                    "refund outcome unknown; the resolver will finish it",
                    [
                        "refund_id": .string(refund.id),
                        "error": .string(error.description),
                    ])
                outcome = nil
            }
            var current = locked
            if let outcome {
                current = try await core.refundEffects.apply(
                    outcome, refund: locked, payment: payment, logger: logger, in: &work
                ).0
            }
            if let refusal { return .refused(ProviderRefusal.error(refusal, object: "refund", json: current.json)) }
            return current.status == .pending ? .pending(current) : .settled(current)
        }
    }

    // MARK: Reading

    /// A refund of the tenant whose payment is in the key's mode (`livemode` nil: either).
    func load(_ refundID: String, tenantID: String, livemode: Bool?) async throws -> Refund {
        guard CofferID.isValid(refundID, prefix: .refund),
            let refund = try await core.database.tenantTransaction(
                tenantID,
                { connection in
                    try await core.refunds.load(refundID, tenantID: tenantID, livemode: livemode, on: connection)
                })
        else { throw DomainError.notFound("No such refund: \(refundID)", param: "id") }
        return refund
    }

    func list(tenantID: String, livemode: Bool, paymentID: String?, limit: Int, startingAfter: String?) async throws
        -> (refunds: [Refund], hasMore: Bool)
    {
        let rows = try await core.database.tenantTransaction(tenantID) { connection in
            try await core.refunds.list(
                tenantID: tenantID, livemode: livemode, paymentID: paymentID, limit: limit,
                startingAfter: startingAfter,
                on: connection)
        }
        return (Array(rows.prefix(limit)), rows.count > limit)
    }
}
