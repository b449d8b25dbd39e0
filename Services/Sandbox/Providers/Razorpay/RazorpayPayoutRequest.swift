import Shared

/// A `POST /v1/payouts` body (RazorpayX's composite payout), checked as RazorpayX checks it before
/// anything executes: a refused body moves no money and leaves its idempotency key free.
struct RazorpayPayoutRequest: Sendable {
    /// The fund account named by id, or described (created, or reused when the same details come again).
    enum FundAccount: Sendable {
        case id(String)
        case details(RazorpayFundAccount.Destination, Contact)
    }

    struct Contact: Sendable {
        let name: String
        let type: String?
        let referenceID: String?
        let email: String?
        let phone: String?
    }

    static let modes: Set<String> = ["NEFT", "RTGS", "IMPS", "UPI", "card", "amazonpay"]

    let accountNumber: String
    let amount: Int64
    let currency: String
    let mode: String
    let purpose: String
    let fundAccount: FundAccount
    let queueIfLowBalance: Bool
    let referenceID: String?
    let narration: String?
    let notes: [String: String]

    init(_ input: RazorpayInput) throws(RazorpayError) {
        guard let accountNumber = try input.string("account_number", maxLength: 40), !accountNumber.isEmpty else {
            throw .badRequest("The account number field is required.", field: "account_number")
        }
        guard let amount = try input.integer("amount") else {
            throw .badRequest("The amount field is required.", field: "amount")
        }
        guard amount >= 100 else { throw .badRequest("Minimum transaction amount allowed is Re. 1", field: "amount") }
        guard let currency = try input.string("currency") else {
            throw .badRequest("The currency field is required.", field: "currency")
        }
        guard currency == "INR" else { throw .badRequest("Currency \(currency) is not supported.", field: "currency") }
        guard let mode = try input.string("mode") else {
            throw .badRequest("The mode field is required.", field: "mode")
        }
        guard Self.modes.contains(mode) else { throw .badRequest("The selected mode is invalid.", field: "mode") }
        guard let purpose = try input.string("purpose", maxLength: 30), !purpose.isEmpty else {
            throw .badRequest("The purpose field is required.", field: "purpose")
        }
        if let fundAccountID = try input.string("fund_account_id") {
            fundAccount = .id(fundAccountID)
        } else {
            fundAccount = try Self.fundAccount(input.fields["fund_account"], mode: mode)
        }
        let narration = try input.string("narration", maxLength: 30)
        if let narration, !narration.allSatisfy({ $0 == " " || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) {
            throw .badRequest("The narration may only contain alphabets, numbers and spaces.", field: "narration")
        }
        self.accountNumber = accountNumber
        self.amount = amount
        self.currency = currency
        self.mode = mode
        self.purpose = purpose
        self.queueIfLowBalance = try input.flag("queue_if_low_balance") ?? false
        self.referenceID = try input.string("reference_id", maxLength: 40)
        self.narration = narration
        self.notes = try input.notes()
    }

    /// `fund_account {account_type, bank_account {name, ifsc, account_number} | vpa {address}, contact {…}}`.
    private static func fundAccount(_ value: JSONValue?, mode: String) throws(RazorpayError) -> FundAccount {
        guard let value, case .object = value else {
            throw .badRequest("The fund account field is required.", field: "fund_account")
        }
        let type = try text(value, "account_type", "fund_account.account_type")
        let destination: RazorpayFundAccount.Destination
        switch type {
        case "bank_account":
            guard mode != "UPI" else {
                throw .badRequest("The mode UPI is not supported for bank accounts.", field: "mode")
            }
            let bank = value["bank_account"] ?? .null
            let name = try text(bank, "name", "fund_account.bank_account.name", max: 120)
            let ifsc = try text(bank, "ifsc", "fund_account.bank_account.ifsc")
            guard isIFSC(ifsc) else {
                throw .badRequest("Invalid IFSC Code in Bank Account", field: "fund_account.bank_account.ifsc")
            }
            let number = try text(bank, "account_number", "fund_account.bank_account.account_number", max: 35)
            guard number.count >= 5, number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw .badRequest(
                    "The account number must be 5 to 35 letters or digits.",
                    field: "fund_account.bank_account.account_number")
            }
            destination = .bankAccount(name: name, ifsc: ifsc, accountNumber: number)
        case "vpa":
            guard mode == "UPI" else { throw .badRequest("Only UPI mode is supported for VPA.", field: "mode") }
            let address = try text(value["vpa"] ?? .null, "address", "fund_account.vpa.address", max: 100)
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .badRequest("Invalid VPA address", field: "fund_account.vpa.address")
            }
            destination = .vpa(address: address)
        default:
            throw .badRequest("The selected account type is invalid.", field: "fund_account.account_type")
        }
        let contact = value["contact"] ?? .null
        return .details(
            destination,
            Contact(
                name: try text(contact, "name", "fund_account.contact.name", max: 50),
                type: try optionalText(contact, "type", "fund_account.contact.type"),
                referenceID: try optionalText(contact, "reference_id", "fund_account.contact.reference_id"),
                email: try optionalText(contact, "email", "fund_account.contact.email"),
                phone: try optionalText(contact, "contact", "fund_account.contact.contact")))
    }

    /// `^[A-Z]{4}0[A-Z0-9]{6}$`: four letters of the bank, a zero, six of the branch.
    static func isIFSC(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 11, bytes[4] == UInt8(ascii: "0") else { return false }
        let upper = UInt8(ascii: "A")...UInt8(ascii: "Z")
        let digit = UInt8(ascii: "0")...UInt8(ascii: "9")
        return bytes[0..<4].allSatisfy { upper.contains($0) }
            && bytes[5...].allSatisfy { upper.contains($0) || digit.contains($0) }
    }

    private static func text(_ object: JSONValue, _ name: String, _ field: String, max: Int = 255)
        throws(RazorpayError) -> String
    {
        guard let value = try optionalText(object, name, field, max: max), !value.isEmpty else {
            throw .badRequest("The \(field) field is required.", field: field)
        }
        return value
    }

    private static func optionalText(_ object: JSONValue, _ name: String, _ field: String, max: Int = 255)
        throws(RazorpayError) -> String?
    {
        guard let value = object[name], !value.isNull else { return nil }
        guard let text = value.stringValue ?? value.numberLiteral else {
            throw .badRequest("The \(field) must be a string.", field: field)
        }
        guard text.count <= max else {
            throw .badRequest("The \(field) may not be greater than \(max) characters.", field: field)
        }
        return text
    }
}
