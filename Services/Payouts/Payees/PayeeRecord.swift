import Foundation
import Postgres
import Shared

/// A payee row and its public JSON (`object: "payee"`, the destination masked).
struct PayeeRecord: Sendable {
    enum PayeeType: String, Sendable, CaseIterable {
        case seller, employee, referrer
    }

    let id: String
    let tenantID: String
    let livemode: Bool
    var name: String
    let type: PayeeType
    var email: String?
    var destinationKind: PayoutDestination.Kind
    var destinationSealed: String
    var destinationLast4: String
    var destinationFingerprint: String
    var destinationVerifiedAt: Date?
    var destinationCheck: String?
    var recruiterPayeeID: String?
    var status: String
    var metadata: JSONValue
    var version: Int64
    let createdBy: String
    let createdAt: Date
    var updatedAt: Date
    /// When the destination last changed: the cooling period counts from here as from creation.
    var destinationChangedAt: Date?

    /// Since when this payee (or its current destination) is new, for the cooling period.
    var newSince: Date { max(createdAt, destinationChangedAt ?? createdAt) }

    static let columns = """
        e.id, e.tenant_id, e.livemode, e.name, e.type, e.email, e.destination_kind, e.destination_sealed, e.destination_last4,
        e.destination_fingerprint, e.destination_verified_at, e.destination_check, e.recruiter_payee_id, e.status, e.metadata::text,
        e.version, e.created_by, e.created_at, e.updated_at, e.destination_changed_at
        """
    /// How many columns `columns` selects (extra columns a query appends start here).
    static let columnCount = 20

    init(row: PostgresRow) throws {
        let head = try row.decode((String, String, Bool, String, String, String?, String, String, String, String).self, startingAt: 0)
        let tail = try row.decode((Date?, String?, String?, String, String, Int64, String, Date, Date, Date?).self, startingAt: 10)
        id = head.0
        tenantID = head.1
        livemode = head.2
        name = head.3
        type = PayeeType(rawValue: head.4) ?? .seller
        email = head.5
        destinationKind = PayoutDestination.Kind(rawValue: head.6) ?? .bankAccount
        destinationSealed = head.7
        destinationLast4 = head.8
        destinationFingerprint = head.9
        destinationVerifiedAt = tail.0
        destinationCheck = tail.1
        recruiterPayeeID = tail.2
        status = tail.3
        metadata = (try? JSONValue.parse(tail.4)) ?? [:]
        version = tail.5
        createdBy = tail.6
        createdAt = tail.7
        updatedAt = tail.8
        destinationChangedAt = tail.9
    }

    /// The public form; `destination` (opened by the caller) adds the non-secret parts (IFSC, holder).
    func json(destination: PayoutDestination?, balances: [JSONValue]? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "object": "payee", "livemode": .bool(livemode), "name": .string(name), "type": .string(type.rawValue),
            "email": email.map(JSONValue.string) ?? .null,
            "destination": DestinationVault.masked(kind: destinationKind, last4: destinationLast4, destination: destination),
            "destination_verified": .bool(destinationVerifiedAt != nil),
            "destination_check": destinationCheck.map(JSONValue.string) ?? .null,
            "recruiter_payee_id": recruiterPayeeID.map(JSONValue.string) ?? .null, "status": .string(status), "metadata": metadata,
            "created": .string(Timestamp.rfc3339(createdAt)), "updated": .string(Timestamp.rfc3339(updatedAt)),
        ]
        if let balances { object["balances"] = .array(balances) }
        return .object(object)
    }

    static func load(_ id: String, tenantID: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> PayeeRecord? {
        try await connection.query("""
            SELECT \(unsafeSQL: columns) FROM payouts.payees e WHERE e.id = \(id) AND e.tenant_id = \(tenantID)
            \(unsafeSQL: forUpdate ? "FOR UPDATE" : "")
            """).first.map(PayeeRecord.init(row:))
    }
}
