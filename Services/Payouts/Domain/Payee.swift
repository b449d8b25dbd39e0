import Foundation
import Shared

/// A payee as stored, and its public JSON (`object: "payee"`, the destination masked).
struct Payee: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        case seller, employee, referrer
    }

    /// The destination check's state (`destination_check`), when the tenant has the check on.
    enum DestinationCheck: String, Sendable {
        case pending, passed, failed
    }

    let id: String
    let tenantID: String
    let livemode: Bool
    var name: String
    let type: Kind
    var email: String?
    var destinationKind: PayoutDestination.Kind
    var destinationSealed: String
    var destinationLast4: String
    var destinationFingerprint: String
    var destinationVerifiedAt: Date?
    var destinationCheck: DestinationCheck?
    var recruiterPayeeID: String?
    var status: String
    var metadata: JSONValue
    var version: Int64
    let createdBy: String
    let createdAt: Date
    var updatedAt: Date
    /// When the destination last changed: the cooling period counts from here as from creation.
    var destinationChangedAt: Date?
    /// Who changed it last: payouts re-pinned by the change are approved or released by someone else.
    var destinationChangedBy: String?

    var isActive: Bool { status == "active" }
    /// Since when this payee (or its current destination) is new, for the cooling period.
    var newSince: Date { max(createdAt, destinationChangedAt ?? createdAt) }
    /// Real payouts wait for the destination check.
    var isUnverified: Bool { destinationCheck == .pending || destinationCheck == .failed }

    /// The public form; `destination` (opened by the caller) adds the non-secret parts (IFSC, holder).
    func json(destination: PayoutDestination?, balances: [Balance]? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "object": "payee", "livemode": .bool(livemode), "name": .string(name),
            "type": .string(type.rawValue),
            "email": email.map(JSONValue.string) ?? .null,
            "destination": DestinationVault.masked(
                kind: destinationKind, last4: destinationLast4, destination: destination),
            "destination_verified": .bool(destinationVerifiedAt != nil),
            "destination_check": destinationCheck.map { .string($0.rawValue) } ?? .null,
            "recruiter_payee_id": recruiterPayeeID.map(JSONValue.string) ?? .null, "status": .string(status),
            "metadata": metadata,
            "created": .string(Timestamp.rfc3339(createdAt)), "updated": .string(Timestamp.rfc3339(updatedAt)),
        ]
        if let balances { object["balances"] = .array(balances.map(\.json)) }
        return .object(object)
    }
}

/// A payee's balance in one currency.
struct Balance: Sendable {
    let payeeID: String
    let currency: String
    let available: Int64
    let reserved: Int64
    let paidOut: Int64

    var json: JSONValue {
        [
            "object": "balance", "payee_id": .string(payeeID), "currency": .string(currency),
            "available": .int(available),
            "reserved": .int(reserved), "paid_out": .int(paidOut),
        ]
    }
}
