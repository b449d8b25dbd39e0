import Shared

/// Who a RazorpayX payout pays (`cont_…`), as the composite payout API creates it.
struct RazorpayContact: Sendable {
    let id: String
    let name: String
    let type: String?
    let referenceID: String?
    let email: String?
    let phone: String?
    let createdAt: Int64

    var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(id), "entity": "contact", "name": .string(name), "contact": text(phone),
            "email": text(email), "type": text(type), "reference_id": text(referenceID), "batch_id": .null,
            "active": true, "notes": [], "created_at": .int(createdAt),
        ])
    }
}

/// Where a RazorpayX payout goes (`fa_…`): a bank account or a UPI address, with its contact.
struct RazorpayFundAccount: Sendable {
    enum Destination: Sendable, Equatable {
        case bankAccount(name: String, ifsc: String, accountNumber: String)
        case vpa(address: String)
    }

    let id: String
    let contact: RazorpayContact
    let destination: Destination
    let createdAt: Int64

    var accountType: String {
        switch destination {
        case .bankAccount: "bank_account"
        case .vpa: "vpa"
        }
    }

    /// Why its bank will fail a payout to it (the sandbox's test destinations), nil when it pays.
    var failure: RazorpayPayout.Failure? {
        switch destination {
        case .bankAccount(_, _, let accountNumber) where accountNumber.allSatisfy({ $0 == "0" }):
            RazorpayPayout.Failure(
                source: "beneficiary_bank", reason: "invalid_beneficiary_details",
                description: "Payout failed as the beneficiary account details are invalid.")
        case .vpa(let address) where address.lowercased().hasSuffix("@fail"):
            RazorpayPayout.Failure(
                source: "npci", reason: "invalid_vpa", description: "Payout failed as the beneficiary VPA is invalid.")
        default:
            nil
        }
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(id), "entity": "fund_account", "contact_id": .string(contact.id), "contact": contact.json,
            "account_type": .string(accountType), "batch_id": .null, "active": true, "created_at": .int(createdAt),
        ]
        switch destination {
        case .bankAccount(let name, let ifsc, let accountNumber):
            members["bank_account"] = .object([
                "ifsc": .string(ifsc), "bank_name": .string(Self.bankName(ifsc)), "name": .string(name),
                "notes": [], "account_number": .string(accountNumber),
            ])
        case .vpa(let address):
            let parts = address.split(separator: "@", maxSplits: 1).map(String.init)
            members["vpa"] = .object([
                "username": .string(parts.first ?? address), "handle": .string(parts.count > 1 ? parts[1] : ""),
                "address": .string(address),
            ])
        }
        return .object(members)
    }

    /// A bank name for the IFSC's bank code (a few well-known ones; the rest are named by their code).
    static func bankName(_ ifsc: String) -> String {
        switch ifsc.prefix(4) {
        case "HDFC": "HDFC Bank"
        case "ICIC": "ICICI Bank"
        case "SBIN": "State Bank of India"
        case "UTIB": "Axis Bank"
        case "RATN": "RBL Bank"
        case "YESB": "Yes Bank"
        case "KKBK": "Kotak Mahindra Bank"
        default: String(ifsc.prefix(4)) + " Bank"
        }
    }
}
