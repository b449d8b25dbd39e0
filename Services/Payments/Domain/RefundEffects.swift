import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Applies a refund's outcome to the refund and its payment (both locked by the unit of work, payment
/// first): the reservation becomes refunded money or is released, the ledger takes the payee's share
/// back (`payee.debited`), and the last refund of a payment revokes its fulfilment.
struct RefundEffects: Sendable {
    let core: PaymentsCore

    struct Outcome: Sendable {
        let status: ProviderRefundState.Status
        let providerRefundID: String?
        var failureCode: String? = nil
        var failureMessage: String? = nil
        /// Where it came from, for logs: `api`, `webhook`, `status_fetch`.
        let source: String
    }

    /// What changed, in order, for the events written once the refund is saved.
    private enum Change {
        case succeeded, failed, revoked(fulfillmentID: String), refunded
    }

    func apply(_ outcome: Outcome, refund: Refund, payment: Payment, logger: Logger, in work: inout Work) async throws
        -> (Refund, Payment)
    {
        var refund = refund
        var payment = payment
        var changes: [Change] = []
        var refundChanged = false
        var paymentChanged = false
        if refund.providerRefundID == nil, let providerID = outcome.providerRefundID {
            refund.providerRefundID = providerID
            refundChanged = true
        }
        switch RefundLifecycle.onProvider(refund.status, outcome.status) {
        case .succeed(let releaseReservation):
            if !releaseReservation, payment.refundable < refund.amount {
                // The provider returned the money after all (Coffer had seen a failure), but it no longer fits.
                logger.critical(
                    "provider reports a refund succeeded that no longer fits the payment; reconcile by hand",
                    [
                        "refund_id": .string(refund.id), "payment_id": .string(payment.id),
                        "source": .string(outcome.source),
                    ])
                return (refund, payment)
            }
            if releaseReservation {
                payment.amountRefundReserved -= refund.amount
            } else {
                logger.warning(
                    "provider reports a failed refund succeeded; booking it", ["refund_id": .string(refund.id)])
            }
            changes += try await succeed(&refund, payment: &payment, in: &work)
            refundChanged = true
            paymentChanged = true
        case .fail:
            payment.amountRefundReserved -= refund.amount
            paymentChanged = true
            refund.status = .failed
            refund.failureCode = outcome.failureCode ?? "refund_failed"
            refund.failureMessage = outcome.failureMessage
            refundChanged = true
            changes.append(.failed)
        case .ignore(let reason):
            if let reason {
                logger.warning(
                    reason,
                    [
                        "refund_id": .string(refund.id), "status": .string(refund.status.rawValue),
                        "source": .string(outcome.source),
                    ])
            }
        }
        guard refundChanged else { return (refund, payment) }
        refund = try await core.refunds.save(refund, on: work.connection)
        if paymentChanged { payment = core.paymentEffects.save(payment, in: &work) }
        for change in changes {
            switch change {
            case .succeeded:
                work.publish(
                    PaymentEventType.refundSucceeded, data: refund.json, orderingKey: payment.id,
                    tenantID: payment.tenantID)
            case .failed:
                work.publish(
                    PaymentEventType.refundFailed, data: refund.json, orderingKey: payment.id,
                    tenantID: payment.tenantID)
            case .revoked(let fulfillmentID):
                work.publish(
                    PaymentEventType.fulfillmentRevoked,
                    data: [
                        "id": .string(fulfillmentID), "object": "fulfillment", "payment_id": .string(payment.id),
                        "status": "revoked", "reason": "refunded",
                    ],
                    orderingKey: payment.id, tenantID: payment.tenantID)
            case .refunded:
                work.publish(
                    PaymentEventType.paymentRefunded, data: payment.json, orderingKey: payment.id,
                    tenantID: payment.tenantID)
            }
        }
        return (refund, payment)
    }

    private func succeed(_ refund: inout Refund, payment: inout Payment, in work: inout Work) async throws -> [Change] {
        let share = try Self.payeeShare(of: refund.amount, payment: payment)
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
        work.post(
            LedgerPosting(
                tenantID: payment.tenantID, livemode: payment.livemode, kind: "refund", reference: refund.id,
                currency: payment.currency.code,
                lines: LedgerPosting.refundLines(amount: refund.amount, payeeShare: share, payeeID: payment.payeeID)),
            to: core.ledger)
        var changes: [Change] = [.succeeded]
        if let payeeID = payment.payeeID {
            try work.payeeChange(
                MoneyEventType.payeeDebited, payeeID: payeeID, tenantID: payment.tenantID, livemode: payment.livemode,
                amount: share, currency: payment.currency, reason: "refund", sourceID: refund.id, paymentID: payment.id)
        }
        if fullyRefunded {
            if let fulfillmentID = try await core.payments.revokeFulfillment(payment, on: work.connection) {
                payment.fulfillment = "revoked"
                changes.append(.revoked(fulfillmentID: fulfillmentID))
            }
            changes.append(.refunded)
        }
        return changes
    }

    /// The payee's (or, without one, the merchant's) part of a refund: proportional to its part of the
    /// capture, rounded half to even; the refund that completes the payment takes exactly what is left,
    /// so a payment's refunds always take back exactly its `payee_net`.
    static func payeeShare(of amount: Int64, payment: Payment) throws -> Int64 {
        guard let split = payment.split, payment.amountCaptured > 0 else { return 0 }
        let remaining = max(0, split.payeeNet - split.payeeRefunded)
        if payment.amountRefunded + amount >= payment.amountCaptured { return remaining }
        let proportional = try Money(minorUnits: amount, currency: payment.currency)
            .multiplied(by: split.payeeNet, dividedBy: payment.amountCaptured, rounding: .halfEven).minorUnits
        return min(proportional, remaining)
    }
}
