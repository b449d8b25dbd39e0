import Foundation
import Platform
import Postgres
import Shared

/// The events payments publishes about its own state changes (DESIGN.md: plain names, source
/// `payments`). Collected while a transaction makes its changes and written with one statement at
/// the end of it, so an event exists exactly when its change committed.
enum PaymentEventType {
    static let paymentAuthorized = "payment.authorized"
    static let paymentCaptured = "payment.captured"
    static let paymentFailed = "payment.failed"
    static let paymentCanceled = "payment.canceled"
    static let paymentRefunded = "payment.refunded"
    static let refundPendingApproval = "refund.pending_approval"
    static let refundSucceeded = "refund.succeeded"
    static let refundFailed = "refund.failed"
    static let refundCanceled = "refund.canceled"
    static let fulfillmentRevoked = "fulfillment.revoked"
    static let disputeOpened = "dispute.opened"
}

extension PendingEvents {
    /// `payee.credited` / `payee.debited`, ordered per payee so payouts applies them in sequence.
    mutating func payeeChange(_ type: String, payeeID: String, livemode: Bool, amount: Int64, currency: Currency, reason: String,
                              sourceID: String, paymentID: String?) {
        guard amount > 0 else { return }
        let change = PayeeBalanceChange(payeeID: payeeID, tenantID: tenantID, livemode: livemode, amount: amount, currency: currency.code,
                                        reason: reason, sourceID: sourceID, paymentID: paymentID)
        let data: JSONValue = [
            "payee_id": .string(change.payeeID), "tenant_id": .string(change.tenantID), "livemode": .bool(livemode), "amount": .int(change.amount),
            "currency": .string(change.currency), "reason": .string(change.reason), "source_id": .string(change.sourceID),
            "payment_id": change.paymentID.map(JSONValue.string) ?? .null,
        ]
        add(type, data: data, orderingKey: "payee:" + payeeID)
    }
}
