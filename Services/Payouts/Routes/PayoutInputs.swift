import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// Decoding requests into what the domain takes. Every field is checked here, by name, before the
/// domain sees it.
extension Payouts.NewPayout {
    static let fields: Set<String> = [
        "payee_id", "amount", "currency", "purpose", "narration", "scheduled_for", "metadata",
    ]

    init(reader: BodyReader, param prefix: String = "") throws(HTTPError) {
        guard let payee = try reader.id("payee_id", prefix: .payee) else {
            throw HTTPError.badRequest("payee_id is required.", param: prefix + "payee_id")
        }
        let amount = try reader.amount("amount", required: true) ?? 0
        let currency = try reader.currency("currency")
        let purpose = try reader.string("purpose", maxLength: 40, allowed: Payouts.purposes) ?? "payout"
        let narration = try reader.string("narration", maxLength: 30)
        var scheduledFor: Date?
        if let text = try reader.string("scheduled_for", maxLength: 40) {
            guard let date = Timestamp.parse(text) else {
                throw HTTPError.badRequest("scheduled_for must be an RFC 3339 time.", param: prefix + "scheduled_for")
            }
            guard date.timeIntervalSinceNow < 366 * 86_400 else {
                throw HTTPError.badRequest(
                    "scheduled_for may be at most a year ahead.", param: prefix + "scheduled_for")
            }
            scheduledFor = date > Date() ? date : nil
        }
        self.init(
            payeeID: payee, amount: amount, currency: currency, purpose: purpose, narration: narration,
            scheduledFor: scheduledFor,
            metadata: try reader.metadata())
    }

    init(body: [UInt8]) throws(HTTPError) {
        try self.init(reader: try BodyReader(body, allowed: Self.fields))
    }
}

extension Payees.Changes {
    static let createFields: Set<String> = [
        "name", "type", "email", "destination", "recruiter_payee_id", "metadata", "currency",
    ]

    init(body: [UInt8], creating: Bool) throws(HTTPError) {
        let reader = try BodyReader(
            body, allowed: creating ? Self.createFields : Self.createFields.subtracting(["type"]).union(["status"]))
        self.init()
        name = try reader.string("name", maxLength: 200)
        if let typeName = try reader.string("type", maxLength: 20, allowed: Set(Payee.Kind.allCases.map(\.rawValue))) {
            type = Payee.Kind(rawValue: typeName)
        }
        if reader.object["email"] != nil {
            let email = try reader.string("email", maxLength: 254)
            if let email, !DestinationInput.isEmail(email.lowercased()) {
                throw HTTPError.badRequest("email is not an email address.", param: "email")
            }
            self.email = .some(email?.lowercased())
        }
        if let value = reader.object["destination"], value != .null { destination = try DestinationInput.parse(value) }
        if reader.object["recruiter_payee_id"] != nil {
            recruiterPayeeID = .some(try reader.id("recruiter_payee_id", prefix: .payee))
        }
        if reader.has("metadata") { metadata = try reader.metadata() }
        status = try reader.string("status", maxLength: 20, allowed: ["active", "disabled"])
        if reader.has("currency") { currency = try reader.currency("currency") }
        if creating {
            guard name != nil else { throw HTTPError.badRequest("name is required.", param: "name") }
            guard type != nil else {
                throw HTTPError.badRequest("type is required (seller, employee or referrer).", param: "type")
            }
            guard destination != nil else {
                throw HTTPError.badRequest("destination is required.", param: "destination")
            }
        }
    }
}

/// Query parameters of the list routes.
enum ListFilters {
    static func payouts(_ query: [String: String]) throws -> PayoutStore.Filter {
        var filter = PayoutStore.Filter()
        filter.limit = try ListParameters.limit(query)
        filter.startingAfter = try id(
            query["starting_after"], .payout, "starting_after must be a po_ id from a previous page.", "starting_after")
        if let status = query["status"], PayoutStatus(rawValue: status) == nil {
            throw HTTPError.badRequest("status is not a payout status.", param: "status")
        }
        filter.status = query["status"]
        filter.payeeID = try id(query["payee_id"], .payee, "payee_id must be a pe_ id.", "payee_id")
        filter.batchID = try id(query["batch_id"], .payoutBatch, "batch_id must be a pob_ id.", "batch_id")
        return filter
    }

    static func payees(_ query: [String: String]) throws -> PayeeStore.Filter {
        var filter = PayeeStore.Filter()
        filter.limit = try ListParameters.limit(query)
        filter.startingAfter = try id(
            query["starting_after"], .payee, "starting_after must be a pe_ id from a previous page.", "starting_after")
        if let type = query["type"], Payee.Kind(rawValue: type) == nil {
            throw HTTPError.badRequest("type must be seller, employee or referrer.", param: "type")
        }
        if let status = query["status"], !["active", "disabled"].contains(status) {
            throw HTTPError.badRequest("status must be active or disabled.", param: "status")
        }
        filter.type = query["type"]
        filter.status = query["status"]
        return filter
    }

    private static func id(_ value: String?, _ prefix: IDPrefix, _ message: String, _ param: String) throws(HTTPError)
        -> String?
    {
        guard let value else { return nil }
        guard CofferID.isValid(value, prefix: prefix) else {
            throw HTTPError.badRequest(message, code: "invalid_id", param: param)
        }
        return value
    }
}
