import Foundation
import Platform
import Postgres
import Shared

/// Applies a trusted provider fact (a signed webhook, or an unsigned one the provider's status API has
/// confirmed) to Coffer's payments, refunds and disputes. Matching is by Coffer's own id when the
/// provider echoed it, else by the provider's id under the connector that received it.
struct ProviderEventApplier: Sendable {
    let outbox: Outbox

    enum Result: Sendable, Equatable {
        case applied
        /// No payment or refund matches (yet): the caller parks the event and tries again later.
        case unmatched(String)
    }

    func apply(type: ProviderEventType, data: ProviderEventData, tenantID: String, correlationID: String?, logger: Logger,
               on connection: PostgresConnection) async throws -> Result {
        guard let payment = try await findPayment(data, type: type, tenantID: tenantID, on: connection) else {
            return .unmatched("no payment matches \(data.provider) \(data.objectType) \(data.providerObjectID)")
        }
        guard payment.livemode == data.livemode else {
            logger.warning("provider event livemode differs from the payment's; ignored", ["payment_id": .string(payment.id)])
            return .applied
        }
        let currency = data.currency.flatMap { Currency(code: $0) }
        switch type {
        case .paymentAuthorized, .paymentCaptured, .paymentFailed:
            let status: ProviderPaymentState.Status = switch type {
            case .paymentAuthorized: .authorized
            case .paymentCaptured: .captured
            default: .failed(code: data.failureReason ?? data.status ?? "payment_failed", message: nil)
            }
            let observation = ProviderObservation(
                providerPaymentID: data.objectType == "payment" ? data.providerObjectID : data.relatedProviderObjectID, status: status,
                amountCaptured: type == .paymentCaptured ? data.amount : nil, amountCapturable: type == .paymentAuthorized ? data.amount : nil,
                currency: currency, source: "webhook")
            try await PaymentEffects(outbox: outbox).apply(observation, to: payment, correlationID: correlationID, logger: logger, on: connection)
            return .applied
        case .refundSucceeded, .refundFailed:
            return try await applyRefund(type: type, data: data, payment: payment, correlationID: correlationID, logger: logger, on: connection)
        case .disputeOpened:
            _ = try await DisputeEffects(outbox: outbox).open(providerDisputeID: data.providerObjectID, amount: data.amount,
                                                              reason: data.failureReason, status: data.status, payment: payment,
                                                              correlationID: correlationID, on: connection)
            return .applied
        case .payoutProcessed, .payoutFailed, .payoutReversed:
            return .applied
        }
    }

    private func findPayment(_ data: ProviderEventData, type: ProviderEventType, tenantID: String,
                             on connection: PostgresConnection) async throws -> PaymentRecord? {
        if let cofferID = data.cofferID {
            var paymentID: String?
            if CofferID.isValid(cofferID, prefix: .payment) {
                paymentID = cofferID
            } else if CofferID.isValid(cofferID, prefix: .refund) {
                paymentID = try await connection.query("""
                    SELECT payment_id FROM payments.refunds WHERE tenant_id = \(tenantID) AND id = \(cofferID)
                    """).first?.decode(String.self, at: 0)
            }
            if let paymentID, let payment = try await PaymentRecord.load(paymentID, tenantID: tenantID, forUpdate: true, on: connection) {
                // Only the connector that made the payment may speak for it.
                return payment.connectorID == data.connectorID ? payment : nil
            }
        }
        let candidates = data.objectType == "payment"
            ? [data.providerObjectID, data.relatedProviderObjectID].compactMap { $0 }
            : [data.relatedProviderObjectID].compactMap { $0 }
        for providerID in candidates {
            if let payment = try await PaymentRecord.load(providerPaymentID: providerID, connectorID: data.connectorID, tenantID: tenantID,
                                                          forUpdate: true, on: connection) {
                return payment
            }
        }
        return nil
    }

    private func applyRefund(type: ProviderEventType, data: ProviderEventData, payment: PaymentRecord, correlationID: String?, logger: Logger,
                             on connection: PostgresConnection) async throws -> Result {
        var refund: RefundRecord?
        if let cofferID = data.cofferID, CofferID.isValid(cofferID, prefix: .refund) {
            refund = try await RefundRecord.load(cofferID, tenantID: payment.tenantID, forUpdate: true, on: connection)
        }
        if refund == nil {
            refund = try await RefundRecord.load(providerRefundID: data.providerObjectID, paymentID: payment.id, tenantID: payment.tenantID,
                                                 on: connection)
        }
        if refund == nil, type == .refundSucceeded {
            // A refund made outside Coffer (the provider's dashboard): book it, if it fits.
            guard let amount = data.amount, amount > 0, amount <= payment.refundable else {
                return .unmatched("a refund made at the provider does not fit payment \(payment.id)")
            }
            var reserved = payment
            reserved.amountRefundReserved += amount
            _ = try await PaymentEffects(outbox: outbox).save(reserved, on: connection)
            let refundID = CofferID.generate(.refund)
            guard let row = try await connection.query("""
                INSERT INTO payments.refunds AS r (id, tenant_id, payment_id, amount, currency, status, reason, provider_refund_id, created_by)
                VALUES (\(refundID), \(payment.tenantID), \(payment.id), \(amount), \(payment.currency.code), 'pending', 'other',
                        \(data.providerObjectID), \("provider:" + data.provider))
                RETURNING \(unsafeSQL: RefundRecord.columns)
                """).first
            else { throw PaymentsInvariantError("refund insert returned no row") }
            logger.notice("booked a refund made at the provider", ["refund_id": .string(refundID), "payment_id": .string(payment.id)])
            refund = try RefundRecord(row: row)
            guard let locked = try await PaymentRecord.load(payment.id, tenantID: payment.tenantID, forUpdate: true, on: connection) else {
                throw PaymentsInvariantError("payment vanished")
            }
            _ = try await RefundEffects(outbox: outbox).apply(
                .init(status: .succeeded, providerRefundID: data.providerObjectID, source: "webhook"), refund: refund!, payment: locked,
                correlationID: correlationID, logger: logger, on: connection)
            return .applied
        }
        guard let refund else { return .unmatched("no refund matches \(data.provider) refund \(data.providerObjectID)") }
        let outcome = RefundEffects.Outcome(status: type == .refundSucceeded ? .succeeded : .failed, providerRefundID: data.providerObjectID,
                                            failureCode: type == .refundFailed ? (data.failureReason ?? "refund_failed") : nil, source: "webhook")
        _ = try await RefundEffects(outbox: outbox).apply(outcome, refund: refund, payment: payment, correlationID: correlationID,
                                                         logger: logger, on: connection)
        return .applied
    }
}
