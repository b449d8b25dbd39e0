import Foundation
import Postgres
import Shared

/// Every statement about `payments.refunds`.
struct RefundStore: Sendable {
    static let columns = """
        r.id, r.tenant_id, r.payment_id, r.amount, r.currency, r.status, r.reason, r.provider_refund_id, r.failure_code, r.failure_message,
        r.created_by, r.approved_by, r.created_at, r.updated_at, r.metadata::text AS metadata
        """

    @inline(never)
    static func refund(_ row: PostgresRow) throws -> Refund {
        Refund(
            id: try row.decode(String.self, column: "id"), tenantID: try row.decode(String.self, column: "tenant_id"),
            paymentID: try row.decode(String.self, column: "payment_id"),
            amount: try row.decode(Int64.self, column: "amount"),
            currency: Currency(code: try row.decode(String.self, column: "currency")) ?? .usd,
            status: Refund.Status(rawValue: try row.decode(String.self, column: "status")) ?? .pending,
            reason: try row.decode(String?.self, column: "reason"),
            metadata: (try? JSONValue.parse(try row.decode(String.self, column: "metadata"))) ?? [:],
            providerRefundID: try row.decode(String?.self, column: "provider_refund_id"),
            failureCode: try row.decode(String?.self, column: "failure_code"),
            failureMessage: try row.decode(String?.self, column: "failure_message"),
            createdBy: try row.decode(String.self, column: "created_by"),
            approvedBy: try row.decode(String?.self, column: "approved_by"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            updatedAt: try row.decode(Date.self, column: "updated_at"))
    }

    @inline(never)
    static func refunds(_ rows: PostgresRows) throws -> [Refund] { try rows.map(refund) }

    func load(_ id: String, tenantID: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws
        -> Refund?
    {
        try await connection.query(
            prepared: """
                SELECT \(unsafeSQL: Self.columns) FROM payments.refunds r WHERE r.id = \(id) AND r.tenant_id = \(tenantID)
                \(unsafeSQL: forUpdate ? "FOR UPDATE" : "")
                """
        ).first.map(Self.refund)
    }

    /// A refund of the tenant whose payment is of the mode asked (`livemode` nil: either).
    func load(_ id: String, tenantID: String, livemode: Bool?, on connection: PostgresConnection) async throws
        -> Refund?
    {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id
            WHERE r.id = \(id) AND r.tenant_id = \(tenantID) AND (\(livemode)::boolean IS NULL OR p.livemode = \(livemode))
            """
        ).first.map(Self.refund)
    }

    func load(providerRefundID: String, paymentID: String, tenantID: String, on connection: PostgresConnection)
        async throws -> Refund?
    {
        try await connection.query(
            prepared: """
                SELECT \(unsafeSQL: Self.columns) FROM payments.refunds r
                WHERE r.tenant_id = \(tenantID) AND r.payment_id = \(paymentID) AND r.provider_refund_id = \(providerRefundID) FOR UPDATE
                """
        ).first.map(Self.refund)
    }

    /// The payment a refund belongs to.
    func paymentID(ofRefund id: String, tenantID: String, on connection: PostgresConnection) async throws -> String? {
        try await connection.query(
            "SELECT payment_id FROM payments.refunds WHERE tenant_id = \(tenantID) AND id = \(id)"
        ).first?
        .decode(String.self, at: 0)
    }

    func insert(
        id: String, tenantID: String, paymentID: String, amount: Int64, currency: Currency, status: Refund.Status,
        reason: String?,
        metadata: JSONValue, providerRefundID: String? = nil, createdBy: String, on connection: PostgresConnection
    ) async throws -> Refund {
        guard
            let row = try await connection.query(
                """
                INSERT INTO payments.refunds AS r (id, tenant_id, payment_id, amount, currency, status, reason, metadata, provider_refund_id, created_by)
                VALUES (\(id), \(tenantID), \(paymentID), \(amount), \(currency.code), \(status.rawValue), \(reason), \(metadata.jsonString)::jsonb,
                        \(providerRefundID), \(createdBy))
                RETURNING \(unsafeSQL: Self.columns)
                """
            ).first
        else { throw DomainError.internalFailure("refund insert returned no row") }
        return try Self.refund(row)
    }

    /// Saves a locked refund's mutable columns and returns it as stored.
    func save(_ refund: Refund, on connection: PostgresConnection) async throws -> Refund {
        guard
            let row = try await connection.query(
                prepared: """
                    UPDATE payments.refunds r SET status = \(refund.status.rawValue), provider_refund_id = \(refund.providerRefundID),
                        failure_code = \(refund.failureCode), failure_message = \(refund.failureMessage), approved_by = \(refund.approvedBy),
                        updated_at = now()
                    WHERE r.id = \(refund.id) AND r.tenant_id = \(refund.tenantID)
                    RETURNING \(unsafeSQL: Self.columns)
                    """
            ).first
        else { throw DomainError.internalFailure("refund \(refund.id) vanished while locked") }
        return try Self.refund(row)
    }

    /// The resolver's clock for this refund starts again now.
    func touchQuery(_ refundID: String) -> PostgresQuery {
        "UPDATE payments.refunds SET updated_at = now() WHERE id = \(refundID)"
    }

    func list(
        tenantID: String, livemode: Bool, paymentID: String?, limit: Int, startingAfter: String?,
        on connection: PostgresConnection
    ) async throws -> [Refund] {
        try Self.refunds(
            try await connection.query(
                """
                SELECT \(unsafeSQL: Self.columns) FROM payments.refunds r JOIN payments.payments p ON p.id = r.payment_id
                WHERE r.tenant_id = \(tenantID) AND p.livemode = \(livemode)
                  AND (\(paymentID)::text IS NULL OR r.payment_id = \(paymentID))
                  AND (\(startingAfter)::text IS NULL OR r.id < \(startingAfter))
                ORDER BY r.id DESC LIMIT \(Int64(limit + 1))
                """))
    }
}
