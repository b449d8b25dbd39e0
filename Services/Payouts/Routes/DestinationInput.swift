import HTTP
import Platform
import Shared

/// A payee's destination as the API takes it, validated per kind:
/// `{"type":"bank_account","account_number":"…","ifsc":"HDFC0001234","holder_name":"…"}`,
/// `{"type":"upi","vpa":"name@bank","holder_name":"…"}`, `{"type":"mobile_money","msisdn":"260971234567","holder_name":"…"}`,
/// `{"type":"paypal","email":"…"}`, `{"type":"stripe_account","account_id":"acct_…"}`.
enum DestinationInput {
    static func parse(_ value: JSONValue) throws(HTTPError) -> PayoutDestination {
        guard let kindName = value["type"]?.stringValue, let kind = PayoutDestination.Kind(rawValue: kindName) else {
            throw HTTPError.badRequest(
                "destination.type must be one of \(PayoutDestination.Kind.allCases.map(\.rawValue).joined(separator: ", ")).",
                code: "invalid_destination", param: "destination.type")
        }
        switch kind {
        case .bankAccount:
            let reader = try BodyReader(
                nested: value, name: "destination", allowed: ["type", "account_number", "ifsc", "holder_name"])
            let number = try required(reader, "account_number", maxLength: 18)
            guard number.count >= 9, number.utf8.allSatisfy({ (48...57).contains($0) }) else {
                throw invalid("destination.account_number", "must be 9 to 18 digits")
            }
            let ifsc = try required(reader, "ifsc", maxLength: 11).uppercased()
            guard Self.isIFSC(ifsc) else {
                throw invalid("destination.ifsc", "must be an IFSC: 4 letters, 0, then 6 letters or digits")
            }
            return .bankAccount(accountNumber: number, ifsc: ifsc, holderName: try holder(reader))
        case .upi:
            let reader = try BodyReader(nested: value, name: "destination", allowed: ["type", "vpa", "holder_name"])
            let vpa = try required(reader, "vpa", maxLength: 255).lowercased()
            guard Self.isVPA(vpa) else { throw invalid("destination.vpa", "must be a UPI address like name@bank") }
            return .upi(vpa: vpa, holderName: try holder(reader))
        case .mobileMoney:
            let reader = try BodyReader(nested: value, name: "destination", allowed: ["type", "msisdn", "holder_name"])
            var msisdn = try required(reader, "msisdn", maxLength: 16)
            if msisdn.hasPrefix("+") { msisdn.removeFirst() }
            guard (9...15).contains(msisdn.count), msisdn.utf8.allSatisfy({ (48...57).contains($0) }),
                !msisdn.hasPrefix("0")
            else {
                throw invalid(
                    "destination.msisdn", "must be an international number without a leading 0 (e.g. 260971234567)")
            }
            return .mobileMoney(msisdn: msisdn, holderName: try holder(reader))
        case .paypal:
            let reader = try BodyReader(nested: value, name: "destination", allowed: ["type", "email"])
            let email = try required(reader, "email", maxLength: 254).lowercased()
            guard Self.isEmail(email) else { throw invalid("destination.email", "must be an email address") }
            return .paypal(email: email)
        case .stripeAccount:
            let reader = try BodyReader(nested: value, name: "destination", allowed: ["type", "account_id"])
            let account = try required(reader, "account_id", maxLength: 64)
            guard account.hasPrefix("acct_"), account.count >= 10,
                account.utf8.dropFirst(5).allSatisfy({
                    (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0)
                })
            else { throw invalid("destination.account_id", "must be a Stripe connected account id (acct_…)") }
            return .stripeAccount(accountID: account)
        }
    }

    private static func required(_ reader: BodyReader, _ name: String, maxLength: Int) throws(HTTPError) -> String {
        guard let text = try reader.string(name, maxLength: maxLength) else {
            throw HTTPError.badRequest(
                "destination.\(name) is required.", code: "invalid_destination", param: "destination.\(name)")
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    private static func holder(_ reader: BodyReader) throws(HTTPError) -> String {
        try required(reader, "holder_name", maxLength: 120)
    }

    private static func invalid(_ param: String, _ message: String) -> HTTPError {
        HTTPError.badRequest("\(param) \(message).", code: "invalid_destination", param: param)
    }

    static func isIFSC(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 11, bytes[4] == UInt8(ascii: "0") else { return false }
        return bytes[0..<4].allSatisfy { (65...90).contains($0) }
            && bytes[5...].allSatisfy { (65...90).contains($0) || (48...57).contains($0) }
    }

    static func isVPA(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (2...200).contains(parts[0].count), (2...64).contains(parts[1].count) else {
            return false
        }
        return parts[0].utf8.allSatisfy {
            (48...57).contains($0) || (97...122).contains($0) || $0 == 46 || $0 == 45 || $0 == 95
        }
            && parts[1].utf8.allSatisfy { (97...122).contains($0) }
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(" ")
            && !parts[1].hasSuffix(".")
    }
}
