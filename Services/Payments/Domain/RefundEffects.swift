import Foundation
import Platform
import Postgres
import Shared

/// Applies a refund's outcome to the refund and its payment (both locked by the caller, payment
/// first): the reservation becomes refunded money or is released, the ledger takes the payee's share
/// back (`payee.debited`), and the last refund of a payment revokes its fulfilment.
struct RefundEffects: Sendable {
    let outbox: Outbox
    let ledger = LedgerPoster()

    struct Outcome: Sendable {
        let status: ProviderRefundState.Status
        let providerRefundID: String?
        var failureCode: String? = nil
        var failureMessage: String? = nil
        /// Where it came from, for logs: `api`, `webhook`, `status_fetch`.
        let source: String
    }

    func apply(_ outcome: Outcome, refund: RefundRecord, payment: PaymentRecord, correlationID: String?, logger: Logger,
               on connection: PostgresConnection) async throws -> (RefundRecord, PaymentRecord) {
        var refund = refund
        var payment = payment
        var events = PendingEvents(source: "payments", tenantID: payment.tenantID, correlationID: correlationID)
        var refundChanged = false
        var paymentChanged = false
        if refund.providerRefundID == nil, let providerID = outcome.providerRefundID {
            refund.providerRefundID = providerID
            refundChanged = true
        }
        switch (refund.status, outcome.status) {
        case (.pending, .succeeded):
            payment.amountRefundReserved -= refund.amount
            try await succeed(&refund, payment: &payment, events: &events, on: connection)
            refundChanged = true
            paymentChanged = true
        case (.failed, .succeeded):
            // The provider returned the money after all (Coffer had seen a failure): book it if it still fits.
            guard payment.refundable >= refund.amount else {
                logger.critical("provider reports a refund succeeded that no longer fits the payment; reconcile by hand", [
                    "refund_id": .string(refund.id), "payment_id": .string(payment.id), "source": .string(outcome.source)])
                return (refund, payment)
            }
            logger.warning("provider reports a failed refund succeeded; booking it", ["refund_id": .string(refund.id)])
            try await succeed(&refund, payment: &payment, events: &events, on: connection)
            refundChanged = true
            paymentChanged = true
        case (.pending, .failed):
            payment.amountRefundReserved -= refund.amount
            paymentChanged = true
            refund.status = .failed
            refund.failureCode = outcome.failureCode ?? "refund_failed"
            refund.failureMessage = outcome.failureMessage
            refundChanged = true
            events.add(PaymentEventType.refundFailed, data: refund.json, orderingKey: payment.id)
        case (.succeeded, .failed):
            logger.error("provider reports a failed refund Coffer booked as succeeded; ignored, reconcile with the provider", [
                "refund_id": .string(refund.id), "source": .string(outcome.source)])
        case (_, .pending), (.succeeded, .succeeded), (.failed, .failed):
            break
        case (.pendingApproval, _), (.canceled, _):
            logger.warning("provider news about a refund Coffer never sent; ignored", [
                "refund_id": .string(refund.id), "status": .string(refund.status.rawValue), "source": .string(outcome.source)])
        }
        guard refundChanged else { return (refund, payment) }
        refund = try await refund.save(on: connection)
        if paymentChanged {
            payment = try await PaymentEffects(outbox: outbox).save(payment, on: connection)
        }
        if !events.entries.isEmpty {
            // Rebuild the refund event data from the saved row.
            var rebuilt = PendingEvents(source: "payments", tenantID: payment.tenantID, correlationID: correlationID)
            for entry in events.entries {
                let data = entry.event.type.hasPrefix("refund.") ? refund.json
                    : entry.event.type == PaymentEventType.paymentRefunded ? payment.json : entry.event.data
                rebuilt.add(entry.event.type, data: data, orderingKey: entry.orderingKey)
            }
            try await rebuilt.write(to: outbox, on: connection)
        }
        return (refund, payment)
    }

    private func succeed(_ refund: inout RefundRecord, payment: inout PaymentRecord, events: inout PendingEvents,
                         on connection: PostgresConnection) async throws {
        let share = try payeeShare(of: refund.amount, payment: payment)
        payment.amountRefunded += refund.amount
        if var split = payment.split {
            split.payeeRefunded += share
            payment.split = split
        }
        let fullyRefunded = payment.amountRefunded >= payment.amountCaptured
        payment.status = fullyRefunded ? .refunded : .partiallyRefunded
        refund.status = .succeeded
        refund.failureCode = nil
        refund.failureMessage = nil
        try await ledger.post(tenantID: payment.tenantID, livemode: payment.livemode, kind: "refund", reference: refund.id, currency: payment.currency.code,
                              lines: LedgerPoster.refundLines(amount: refund.amount, payeeShare: share, payeeID: payment.payeeID),
                              on: connection)
        events.add(PaymentEventType.refundSucceeded, data: .null, orderingKey: payment.id)
        if let payeeID = payment.payeeID {
            events.payeeChange(MoneyEventType.payeeDebited, payeeID: payeeID, livemode: payment.livemode, amount: share,
                               currency: payment.currency, reason: "refund",
                               sourceID: refund.id, paymentID: payment.id)
        }
        if fullyRefunded {
            let revoked = try await connection.query("""
                UPDATE payments.fulfillments SET status = 'revoked', revoked_at = now()
                WHERE payment_id = \(payment.id) AND tenant_id = \(payment.tenantID) AND status = 'fulfilled'
                RETURNING id
                """)
            if let row = revoked.first {
                payment.fulfillment = "revoked"
                let fulfillmentID = try row.decode(String.self, at: 0)
                events.add(PaymentEventType.fulfillmentRevoked,
                           data: ["id": .string(fulfillmentID), "object": "fulfillment", "payment_id": .string(payment.id),
                                  "status": "revoked", "reason": "refunded"],
                           orderingKey: payment.id)
            }
            events.add(PaymentEventType.paymentRefunded, data: .null, orderingKey: payment.id)
        }
    }

    /// The payee's (or, without one, the merchant's) part of a refund: proportional to its part of the
    /// capture, rounded half to even; the refund that completes the payment takes exactly what is left,
    /// so a payment's refunds always take back exactly its `payee_net`.
    func payeeShare(of amount: Int64, payment: PaymentRecord) throws -> Int64 {
        guard let split = payment.split, payment.amountCaptured > 0 else { return 0 }
        let remaining = max(0, split.payeeNet - split.payeeRefunded)
        if payment.amountRefunded + amount >= payment.amountCaptured { return remaining }
        let proportional = try Money(minorUnits: amount, currency: payment.currency)
            .multiplied(by: split.payeeNet, dividedBy: payment.amountCaptured, rounding: .halfEven).minorUnits
        return min(proportional, remaining)
    }
}
