import Shared

/// An MTN MoMo disbursement transfer, named by the caller's `X-Reference-Id`: `PENDING` when accepted,
/// then `SUCCESSFUL` (with a financial transaction id) or `FAILED` with a reason.
struct MTNTransfer: Sendable {
    let referenceID: String
    let accountID: String
    let amount: Money
    let externalID: String?
    let partyIDType: String
    let partyID: String
    let payerMessage: String?
    let payeeNote: String?
    /// The request's `X-Callback-Url`, else the account's webhook URL gets the callback.
    let callbackURL: String?
    /// Why the network will fail it (`PAYEE_NOT_FOUND`, `NOT_ENOUGH_FUNDS`), decided when it was accepted.
    let plannedFailure: String?
    /// Whether the amount left the wallet (when it was accepted, as a rule), so comes back if it fails.
    var debited: Bool
    /// `PENDING`, `SUCCESSFUL` or `FAILED`.
    var status = "PENDING"
    var reason: String?
    var financialTransactionID: String?

    /// What `GET /disbursement/v1_0/transfer/{referenceId}` answers, and the callback carries.
    var json: JSONValue {
        var members: [String: JSONValue] = [
            "amount": .string(amount.majorUnitString), "currency": .string(amount.currency.code),
            "externalId": externalID.map(JSONValue.string) ?? .null,
            "payee": .object(["partyIdType": .string(partyIDType), "partyId": .string(partyID)]),
            "payerMessage": payerMessage.map(JSONValue.string) ?? .null,
            "payeeNote": payeeNote.map(JSONValue.string) ?? .null, "status": .string(status),
        ]
        if let financialTransactionID { members["financialTransactionId"] = .string(financialTransactionID) }
        if let reason { members["reason"] = .string(reason) }
        return .object(members)
    }
}
