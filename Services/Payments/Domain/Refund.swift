import Foundation
import Shared

/// A refund as stored, and its public JSON (`object: "refund"`).
struct Refund: Sendable {
    enum Status: String, Sendable {
        /// Above the tenant's approval threshold: waits for a different key to approve it.
        case pendingApproval = "pending_approval"
        /// Sent (or being sent) to the provider; its amount is reserved on the payment.
        case pending
        case succeeded
        case failed
        /// Declined by an approver before it was sent.
        case canceled

        var holdsReservation: Bool { self == .pendingApproval || self == .pending }
    }

    let id: String
    let tenantID: String
    let paymentID: String
    let amount: Int64
    let currency: Currency
    var status: Status
    let reason: String?
    let metadata: JSONValue
    var providerRefundID: String?
    var failureCode: String?
    var failureMessage: String?
    let createdBy: String
    var approvedBy: String?
    let createdAt: Date
    var updatedAt: Date

    var json: JSONValue {
        [
            "id": .string(id), "object": "refund", "payment_id": .string(paymentID), "amount": .int(amount),
            "currency": .string(currency.code),
            "status": .string(status.rawValue), "reason": reason.map(JSONValue.string) ?? .null, "metadata": metadata,
            "provider_refund_id": providerRefundID.map(JSONValue.string) ?? .null,
            "failure_code": failureCode.map(JSONValue.string) ?? .null,
            "failure_message": failureMessage.map(JSONValue.string) ?? .null,
            "created_by": .string(createdBy), "approved_by": approvedBy.map(JSONValue.string) ?? .null,
            "created": .string(Timestamp.rfc3339(createdAt)), "updated": .string(Timestamp.rfc3339(updatedAt)),
        ]
    }
}
