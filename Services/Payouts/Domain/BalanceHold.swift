import Foundation
import Shared

/// A payee's balance in one currency held because money of the other mode reached it: no payout draws on
/// it until two operators reverse the crossed amount.
struct BalanceHold: Sendable {
    enum Status: String, Sendable {
        case held
        case reversalRequested = "reversal_requested"
        case reversed
    }

    let id: String
    let tenantID: String
    let payeeID: String
    let livemode: Bool
    let currency: String
    let reason: String
    let conflictID: String
    let sourceLivemode: Bool
    let amount: Int64
    let sourceIDs: [String]
    var status: Status
    var requestedBy: String?
    var requestedReason: String?
    var reversedBy: String?
    let createdAt: Date

    var json: JSONValue {
        [
            "object": "balance_hold", "id": .string(id), "tenant_id": .string(tenantID), "payee_id": .string(payeeID),
            "livemode": .bool(livemode), "currency": .string(currency), "reason": .string(reason),
            "conflict_id": .string(conflictID),
            "source_livemode": .bool(sourceLivemode), "amount": .int(amount),
            "source_ids": .array(sourceIDs.map(JSONValue.string)),
            "status": .string(status.rawValue), "requested_by": requestedBy.map(JSONValue.string) ?? .null,
            "requested_reason": requestedReason.map(JSONValue.string) ?? .null,
            "reversed_by": reversedBy.map(JSONValue.string) ?? .null,
            "created_at": .string(Timestamp.rfc3339(createdAt)),
        ]
    }
}
