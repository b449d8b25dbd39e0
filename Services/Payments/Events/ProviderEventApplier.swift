import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Applies a trusted provider fact (a signed webhook, or an unsigned one the provider's status API has
/// confirmed) to Coffer's payments, refunds and disputes, inside a unit of work scoped to the tenant.
/// Matching is by Coffer's own id when the provider echoed it, else by the provider's id under the
/// connector that received it.
struct ProviderEventApplier: Sendable {
    let core: PaymentsCore

    enum Result: Sendable, Equatable {
        case applied
        /// No payment or refund matches (yet): the caller parks the event and tries again later.
        case unmatched(String)
    }

    func apply(type: ProviderEventType, data: ProviderEventData, tenantID: String, logger: Logger, in work: inout Work)
        async throws -> Result
    {
        guard let payment = try await findPayment(data, tenantID: tenantID, on: work.connection) else {
            return .unmatched("no payment matches \(data.provider) \(data.objectType) \(data.providerObjectID)")
        }
        guard payment.livemode == data.livemode else {
            logger.warning(
                "provider event livemode differs from the payment's; ignored", ["payment_id": .string(payment.id)])
            return .applied
        }
        let currency = data.currency.flatMap { Currency(code: $0) }
        switch type {
        case .paymentAuthorized, .paymentCaptured, .paymentFailed:
            let status: ProviderPaymentState.Status =
                switch type {
                case .paymentAuthorized: .authorized
                case .paymentCaptured: .captured
                default: .failed(code: data.failureReason ?? data.status ?? "payment_failed", message: nil)
                }
            let observation = ProviderObservation(
                providerPaymentID: data.objectType == "payment" ? data.providerObjectID : data.relatedProviderObjectID,
                status: status,
                amountCaptured: type == .paymentCaptured ? data.amount : nil,
                amountCapturable: type == .paymentAuthorized ? data.amount : nil,
                currency: currency, source: "webhook")
            try await core.paymentEffects.apply(observation, to: payment, logger: logger, in: &work)
            return .applied
        case .refundSucceeded, .refundFailed:
            return try await applyRefund(type: type, data: data, payment: payment, logger: logger, in: &work)
        case .disputeOpened:
            _ = try await DisputeEffects(core: core).open(
                providerDisputeID: data.providerObjectID, amount: data.amount, reason: data.failureReason,
                status: data.status, payment: payment, in: &work)
            return .applied
        case .payoutProcessed, .payoutFailed, .payoutReversed:
            return .applied
        }
    }

    private func findPayment(_ data: ProviderEventData, tenantID: String, on connection: PostgresConnection)
        async throws -> Payment?
    {
        if let cofferID = data.cofferID {
            var paymentID: String?
            if CofferID.isValid(cofferID, prefix: .payment) {
                paymentID = cofferID
            } else if CofferID.isValid(cofferID, prefix: .refund) {
                paymentID = try await core.refunds.paymentID(ofRefund: cofferID, tenantID: tenantID, on: connection)
            }
            if let paymentID,
                let payment = try await core.payments.load(
                    paymentID, tenantID: tenantID, forUpdate: true, on: connection)
            {
                // Only the connector that made the payment may speak for it.
                return payment.connectorID == data.connectorID ? payment : nil
            }
        }
        let candidates =
            data.objectType == "payment"
            ? [data.providerObjectID, data.relatedProviderObjectID].compactMap { $0 }
            : [data.relatedProviderObjectID].compactMap { $0 }
        for providerID in candidates {
            if let payment = try await core.payments.load(
                providerPaymentID: providerID, connectorID: data.connectorID, tenantID: tenantID,
                forUpdate: true, on: connection)
            {
                return payment
            }
        }
        return nil
    }

    private func applyRefund(
        type: ProviderEventType, data: ProviderEventData, payment: Payment, logger: Logger,
        in work: inout Work
    ) async throws -> Result {
        var refund: Refund?
        if let cofferID = data.cofferID, CofferID.isValid(cofferID, prefix: .refund) {
            refund = try await core.refunds.load(
                cofferID, tenantID: payment.tenantID, forUpdate: true, on: work.connection)
        }
        if refund == nil {
            refund = try await core.refunds.load(
                providerRefundID: data.providerObjectID, paymentID: payment.id, tenantID: payment.tenantID,
                on: work.connection)
        }
        if refund == nil, type == .refundSucceeded {
            // A refund made outside Coffer (the provider's dashboard): book it, if it fits.
            guard let amount = data.amount, amount > 0, amount <= payment.refundable else {
                return .unmatched("a refund made at the provider does not fit payment \(payment.id)")
            }
            var reserved = payment
            reserved.amountRefundReserved += amount
            // Saved before the refund's insert: the database's check on the reservation refuses an over-refund here.
            try await work.connection.execute(core.payments.saveQuery(reserved))
            let booked = try await core.refunds.insert(
                id: CofferID.generate(.refund), tenantID: payment.tenantID, paymentID: payment.id,
                amount: amount, currency: payment.currency, status: .pending, reason: "other", metadata: [:],
                providerRefundID: data.providerObjectID, createdBy: "provider:" + data.provider,
                on: work.connection)
            logger.notice(
                "booked a refund made at the provider",
                ["refund_id": .string(booked.id), "payment_id": .string(payment.id)])
            _ = try await core.refundEffects.apply(
                .init(status: .succeeded, providerRefundID: data.providerObjectID, source: "webhook"),
                refund: booked, payment: reserved, logger: logger, in: &work)
            return .applied
        }
        guard let refund else {
            return .unmatched("no refund matches \(data.provider) refund \(data.providerObjectID)")
        }
        let outcome = RefundEffects.Outcome(
            status: type == .refundSucceeded ? .succeeded : .failed, providerRefundID: data.providerObjectID,
            failureCode: type == .refundFailed ? (data.failureReason ?? "refund_failed") : nil, source: "webhook")
        _ = try await core.refundEffects.apply(outcome, refund: refund, payment: payment, logger: logger, in: &work)
        return .applied
    }
}
