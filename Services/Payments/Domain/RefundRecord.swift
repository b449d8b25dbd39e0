import Foundation
import Postgres
import Shared

/// A refund row and its public JSON (`object: "refund"`).
struct RefundRecord: Sendable {
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

    static let columns = """
        r.id, r.tenant_id, r.payment_id, r.amount, r.currency, r.status, r.reason, r.provider_refund_id, r.failure_code, r.failure_message,
        r.created_by, r.approved_by, r.created_at, r.updated_at, r.metadata::text
        """

    init(row: PostgresRow) throws {
        let values = try row.decode((String, String, String, Int64, String, String, String?, String?, String?, String?, String, String?, Date,
                                     Date).self, startingAt: 0)
        id = values.0
        tenantID = values.1
        paymentID = values.2
        amount = values.3
        currency = Currency(code: values.4) ?? .usd
        status = Status(rawValue: values.5) ?? .pending
        reason = values.6
        providerRefundID = values.7
        failureCode = values.8
        failureMessage = values.9
        createdBy = values.10
        approvedBy = values.11
        createdAt = values.12
        updatedAt = values.13
        metadata = (try? JSONValue.parse(try row.decode(String.self, at: 14))) ?? [:]
    }

    var json: JSONValue {
        [
            "id": .string(id), "object": "refund", "payment_id": .string(paymentID), "amount": .int(amount), "currency": .string(currency.code),
            "status": .string(status.rawValue), "reason": reason.map(JSONValue.string) ?? .null, "metadata": metadata,
            "provider_refund_id": providerRefundID.map(JSONValue.string) ?? .null,
            "failure_code": failureCode.map(JSONValue.string) ?? .null, "failure_message": failureMessage.map(JSONValue.string) ?? .null,
            "created_by": .string(createdBy), "approved_by": approvedBy.map(JSONValue.string) ?? .null,
            "created": .string(Timestamp.rfc3339(createdAt)), "updated": .string(Timestamp.rfc3339(updatedAt)),
        ]
    }

    static func load(_ id: String, tenantID: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> RefundRecord? {
        try await connection.query(prepared: """
            SELECT \(unsafeSQL: columns) FROM payments.refunds r WHERE r.id = \(id) AND r.tenant_id = \(tenantID)
            \(unsafeSQL: forUpdate ? "FOR UPDATE" : "")
            """).first.map(RefundRecord.init(row:))
    }

    static func load(providerRefundID: String, paymentID: String, tenantID: String, on connection: PostgresConnection) async throws -> RefundRecord? {
        try await connection.query(prepared: """
            SELECT \(unsafeSQL: columns) FROM payments.refunds r
            WHERE r.tenant_id = \(tenantID) AND r.payment_id = \(paymentID) AND r.provider_refund_id = \(providerRefundID) FOR UPDATE
            """).first.map(RefundRecord.init(row:))
    }

    func save(on connection: PostgresConnection) async throws -> RefundRecord {
        guard let row = try await connection.query(prepared: """
            UPDATE payments.refunds r SET status = \(status.rawValue), provider_refund_id = \(providerRefundID), failure_code = \(failureCode),
                failure_message = \(failureMessage), approved_by = \(approvedBy), updated_at = now()
            WHERE r.id = \(id) AND r.tenant_id = \(tenantID)
            RETURNING \(unsafeSQL: Self.columns)
            """).first
        else { throw PaymentsInvariantError("refund \(id) vanished while locked") }
        return try RefundRecord(row: row)
    }
}
