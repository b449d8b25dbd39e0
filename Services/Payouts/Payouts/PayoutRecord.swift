import Foundation
import Postgres
import Shared

/// A payout's lifecycle (issue: never pay twice, never lose a payout).
enum PayoutStatus: String, Sendable, CaseIterable {
    /// Waits for its pay date (`scheduled_for`).
    case scheduled
    /// Waits for a different key with the approver role (above the threshold, or the tenant's first run).
    case pendingApproval = "pending_approval"
    /// Stopped by a safety rail (velocity, shared destination, unusual amount, unverified destination)
    /// until an approver releases it.
    case held
    case queued
    /// A worker has it, or the provider accepted it and has not finished.
    case processing
    case processed
    case failed
    /// Paid, then returned by the destination: the balance is credited back.
    case reversed
    case canceled

    var isTerminal: Bool { self == .processed || self == .failed || self == .reversed || self == .canceled }
    /// Money has not left: the payout may still be canceled (its reservation returns to the balance).
    var isCancelable: Bool { self == .scheduled || self == .pendingApproval || self == .held || self == .queued }
}

/// A payout row and its public JSON (`object: "payout"`).
struct PayoutRecord: Sendable {
    let id: String
    let tenantID: String
    let livemode: Bool
    let payeeID: String
    let amount: Int64
    let currency: Currency
    let purpose: String
    let narration: String?
    var status: PayoutStatus
    var approvalReasons: [String]
    var holdReasons: [String]
    let scheduledFor: Date?
    let isTest: Bool
    let batchID: String?
    var provider: String?
    var connectorID: String?
    var providerPayoutID: String?
    var attempts: Int
    var failureCode: String?
    var failureMessage: String?
    var approvedBy: String?
    var releasedBy: String?
    let createdBy: String
    let metadata: JSONValue
    let createdAt: Date
    var updatedAt: Date
    var processedAt: Date?
    /// Where this payout pays (pinned at creation): the kind and the last four characters, for display.
    var destinationKind: String?
    var destinationLast4: String?

    static let columns = """
        o.id, o.tenant_id, o.livemode, o.payee_id, o.amount, o.currency, o.purpose, o.narration, o.status, o.approval_reasons,
        o.hold_reasons, o.scheduled_for, o.is_test, o.batch_id, o.provider, o.connector_id, o.provider_payout_id, o.attempts,
        o.failure_code, o.failure_message, o.approved_by, o.released_by, o.created_by, o.metadata::text, o.created_at, o.updated_at,
        o.processed_at, o.destination_kind, o.destination_last4
        """
    /// How many columns `columns` selects (extra columns a query appends start here).
    static let columnCount = 29

    init(row: PostgresRow) throws {
        let head = try row.decode((String, String, Bool, String, Int64, String, String, String?, String, [String]).self, startingAt: 0)
        let middle = try row.decode(([String], Date?, Bool, String?, String?, String?, String?, Int32, String?, String?).self, startingAt: 10)
        let tail = try row.decode((String?, String?, String, String, Date, Date, Date?, String?, String?).self, startingAt: 20)
        id = head.0
        tenantID = head.1
        livemode = head.2
        payeeID = head.3
        amount = head.4
        currency = Currency(code: head.5) ?? .usd
        purpose = head.6
        narration = head.7
        status = PayoutStatus(rawValue: head.8) ?? .queued
        approvalReasons = head.9
        holdReasons = middle.0
        scheduledFor = middle.1
        isTest = middle.2
        batchID = middle.3
        provider = middle.4
        connectorID = middle.5
        providerPayoutID = middle.6
        attempts = Int(middle.7)
        failureCode = middle.8
        failureMessage = middle.9
        approvedBy = tail.0
        releasedBy = tail.1
        createdBy = tail.2
        metadata = (try? JSONValue.parse(tail.3)) ?? [:]
        createdAt = tail.4
        updatedAt = tail.5
        processedAt = tail.6
        destinationKind = tail.7
        destinationLast4 = tail.8
    }

    var money: Money { Money(minorUnits: amount, currency: currency) }

    var json: JSONValue {
        [
            "id": .string(id), "object": "payout", "livemode": .bool(livemode), "payee_id": .string(payeeID), "amount": .int(amount),
            "currency": .string(currency.code), "purpose": .string(purpose), "narration": narration.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue), "approval_reasons": .array(approvalReasons.map(JSONValue.string)),
            "hold_reasons": .array(holdReasons.map(JSONValue.string)),
            "scheduled_for": scheduledFor.map { .string(Timestamp.rfc3339($0)) } ?? .null, "destination_check": .bool(isTest),
            "batch_id": batchID.map(JSONValue.string) ?? .null, "provider": provider.map(JSONValue.string) ?? .null,
            "provider_payout_id": providerPayoutID.map(JSONValue.string) ?? .null, "attempts": .int(Int64(attempts)),
            "failure_code": failureCode.map(JSONValue.string) ?? .null, "failure_message": failureMessage.map(JSONValue.string) ?? .null,
            "approved_by": approvedBy.map(JSONValue.string) ?? .null, "released_by": releasedBy.map(JSONValue.string) ?? .null,
            "created_by": .string(createdBy), "metadata": metadata,
            "created": .string(Timestamp.rfc3339(createdAt)), "updated": .string(Timestamp.rfc3339(updatedAt)),
            "processed_at": processedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "destination": destinationKind.map { ["type": .string($0), "last4": destinationLast4.map(JSONValue.string) ?? .null] } ?? .null,
        ]
    }

    static func load(_ id: String, tenantID: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> PayoutRecord? {
        let query: PostgresQuery = """
            SELECT \(unsafeSQL: columns) FROM payouts.payouts o WHERE o.id = \(id) AND o.tenant_id = \(tenantID)
            \(unsafeSQL: forUpdate ? "FOR UPDATE" : "")
            """
        return try await connection.query(query.prepared()).first.map(PayoutRecord.init(row:))
    }

    /// Writes the mutable columns of a locked payout.
    func saveQuery(leaseUntil: Date? = nil, nextAttemptAt: Date? = nil) -> PostgresQuery {
        let query: PostgresQuery = """
            UPDATE payouts.payouts SET status = \(status.rawValue), approval_reasons = \(array: approvalReasons)::text[],
                hold_reasons = \(array: holdReasons)::text[], provider = \(provider), connector_id = \(connectorID),
                provider_payout_id = \(providerPayoutID), attempts = \(Int64(attempts)), failure_code = \(failureCode),
                failure_message = \(failureMessage), approved_by = \(approvedBy), released_by = \(releasedBy),
                lease_until = \(leaseUntil), next_attempt_at = coalesce(\(nextAttemptAt), next_attempt_at),
                queued_at = CASE WHEN \(status.rawValue) = 'queued' THEN coalesce(queued_at, now()) ELSE queued_at END,
                processed_at = \(processedAt),
                finished_at = CASE WHEN \(status.isTerminal) THEN coalesce(finished_at, now()) ELSE NULL END,
                updated_at = now()
            WHERE id = \(id) AND tenant_id = \(tenantID)
            """
        return query.prepared()
    }
}
