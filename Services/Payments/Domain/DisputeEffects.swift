import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// A dispute the provider opened on a payment: recorded once, the disputed amount held in the ledger
/// (moved out of what the payee can be paid, with `payee.debited` so payouts holds it too), and a
/// `dispute.opened` event for the tenant.
struct DisputeEffects: Sendable {
    let core: PaymentsCore

    /// Returns false when this dispute was already recorded.
    func open(
        providerDisputeID: String, amount: Int64?, reason: String?, status: String?, payment: Payment,
        in work: inout Work
    ) async throws -> Bool {
        let disputed = min(amount ?? payment.amountCaptured, payment.amountCaptured)
        guard disputed > 0 else { return false }
        var payment = payment
        let share = try RefundEffects.payeeShare(of: disputed, payment: payment)
        let disputeID = CofferID.generate(.dispute)
        guard
            try await core.disputes.insert(
                id: disputeID, payment: payment, providerDisputeID: providerDisputeID, amount: disputed,
                status: status ?? "needs_response", reason: reason, heldFromPayee: share, on: work.connection)
        else { return false }
        work.post(
            LedgerPosting(
                tenantID: payment.tenantID, livemode: payment.livemode, kind: "dispute_hold", reference: disputeID,
                currency: payment.currency.code,
                lines: LedgerPosting.disputeHoldLines(amount: disputed, payeeShare: share, payeeID: payment.payeeID)),
            to: core.ledger)
        if var split = payment.split {
            split.payeeRefunded += share
            payment.split = split
            _ = core.paymentEffects.save(payment, in: &work)
        }
        work.publish(
            PaymentEventType.disputeOpened,
            data: [
                "id": .string(disputeID), "object": "dispute", "payment_id": .string(payment.id),
                "provider_dispute_id": .string(providerDisputeID), "amount": .int(disputed),
                "currency": .string(payment.currency.code),
                "reason": reason.map(JSONValue.string) ?? .null, "status": .string(status ?? "needs_response"),
            ],
            orderingKey: payment.id, tenantID: payment.tenantID)
        if let payeeID = payment.payeeID {
            try work.payeeChange(
                MoneyEventType.payeeDebited, payeeID: payeeID, tenantID: payment.tenantID, livemode: payment.livemode,
                amount: share, currency: payment.currency, reason: "dispute_hold", sourceID: disputeID,
                paymentID: payment.id)
        }
        return true
    }
}
