import Foundation
import Shared

/// The events payments publishes about its own state changes (DESIGN.md: plain names, source
/// `payments`). Their data is the object as the API shows it (`payment`, `refund`, `fulfillment`,
/// `dispute`); payee money moves as `PayeeBalanceChange`.
public enum PaymentEventType {
    public static let paymentAuthorized = "payment.authorized"
    public static let paymentCaptured = "payment.captured"
    public static let paymentFailed = "payment.failed"
    public static let paymentCanceled = "payment.canceled"
    public static let paymentRefunded = "payment.refunded"
    public static let refundPendingApproval = "refund.pending_approval"
    public static let refundSucceeded = "refund.succeeded"
    public static let refundFailed = "refund.failed"
    public static let refundCanceled = "refund.canceled"
    public static let fulfillmentRevoked = "fulfillment.revoked"
    public static let disputeOpened = "dispute.opened"
}
