import Foundation
import Platform
import Postgres
import Shared

/// A dispute the provider opened on a payment: recorded once, the disputed amount held in the ledger
/// (moved out of what the payee can be paid, with `payee.debited` so payouts holds it too), and a
/// `dispute.opened` event for the tenant.
struct DisputeEffects: Sendable {
    let outbox: Outbox
    let ledger = LedgerPoster()

    /// Returns false when this dispute was already recorded.
    func open(providerDisputeID: String, amount: Int64?, reason: String?, status: String?, payment: PaymentRecord, correlationID: String?,
              on connection: PostgresConnection) async throws -> Bool {
        let disputed = min(amount ?? payment.amountCaptured, payment.amountCaptured)
        guard disputed > 0 else { return false }
        var payment = payment
        let share = try RefundEffects(outbox: outbox).payeeShare(of: disputed, payment: payment)
        let disputeID = CofferID.generate(.dispute)
        let inserted = try await connection.query("""
            INSERT INTO payments.disputes (id, tenant_id, payment_id, provider_dispute_id, amount, currency, status, reason, held_from_payee)
            VALUES (\(disputeID), \(payment.tenantID), \(payment.id), \(providerDisputeID), \(disputed), \(payment.currency.code),
                    \(status ?? "needs_response"), \(reason), \(share))
            ON CONFLICT (payment_id, provider_dispute_id) DO NOTHING RETURNING id
            """)
        guard !inserted.isEmpty else { return false }
        try await ledger.post(tenantID: payment.tenantID, livemode: payment.livemode, kind: "dispute_hold", reference: disputeID, currency: payment.currency.code,
                              lines: LedgerPoster.disputeHoldLines(amount: disputed, payeeShare: share, payeeID: payment.payeeID),
                              on: connection)
        if var split = payment.split {
            split.payeeRefunded += share
            payment.split = split
            _ = try await PaymentEffects(outbox: outbox).save(payment, on: connection)
        }
        var events = PendingEvents(source: "payments", tenantID: payment.tenantID, correlationID: correlationID)
        events.add(PaymentEventType.disputeOpened,
                   data: ["id": .string(disputeID), "object": "dispute", "payment_id": .string(payment.id),
                          "provider_dispute_id": .string(providerDisputeID), "amount": .int(disputed), "currency": .string(payment.currency.code),
                          "reason": reason.map(JSONValue.string) ?? .null, "status": .string(status ?? "needs_response")],
                   orderingKey: payment.id)
        if let payeeID = payment.payeeID {
            events.payeeChange(MoneyEventType.payeeDebited, payeeID: payeeID, livemode: payment.livemode, amount: share,
                               currency: payment.currency, reason: "dispute_hold",
                               sourceID: disputeID, paymentID: payment.id)
        }
        try await events.write(to: outbox, on: connection)
        return true
    }
}
