import Foundation
import HTTP
import Shared

/// A `POST /disbursement/v1_0/transfer`: the `X-Reference-Id` that names it (a UUID), an optional
/// `X-Callback-Url`, and the body `{amount, currency, externalId, payee {partyIdType, partyId},
/// payerMessage, payeeNote}` with the amount as a decimal string in major units.
struct MTNTransferRequest: Sendable {
    static let partyIDTypes: Set<String> = ["MSISDN", "EMAIL", "PARTY_CODE"]

    let referenceID: String
    let callbackURL: String?
    let amount: Money
    let externalID: String?
    let partyIDType: String
    let partyID: String
    let payerMessage: String?
    let payeeNote: String?

    /// `walletCurrency` is the only currency the account's wallet holds.
    init(_ request: HTTPRequest, walletCurrency: String) throws(MTNError) {
        guard let referenceID = request.headers["X-Reference-Id"]?.lowercased(), Self.isUUID(referenceID) else {
            throw .badRequest("X-Reference-Id must be a UUID (version 4).")
        }
        let callbackURL = request.headers["X-Callback-Url"]
        if let callbackURL {
            let lower = callbackURL.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw .badRequest("X-Callback-Url must be an http(s) URL.")
            }
        }
        guard let body = try? JSONValue.parse(request.body), case .object = body else {
            throw .badRequest("The request body must be a JSON object.")
        }
        guard let code = body["currency"]?.stringValue else { throw .badRequest("currency is required.") }
        guard code == walletCurrency, let currency = Currency(code: code) else { throw .invalidCurrency() }
        guard let amountText = body["amount"]?.stringValue ?? body["amount"]?.numberLiteral,
            let amount = try? Money.parse(major: amountText, currency: currency), amount.minorUnits > 0
        else { throw .badRequest("amount must be a positive decimal string in major units, such as \"100\".") }
        guard let payee = body["payee"], case .object = payee,
            let partyIDType = payee["partyIdType"]?.stringValue, Self.partyIDTypes.contains(partyIDType),
            let partyID = payee["partyId"]?.stringValue, !partyID.isEmpty, partyID.count <= 128
        else { throw .badRequest("payee must be {\"partyIdType\": MSISDN, EMAIL or PARTY_CODE, \"partyId\"}.") }
        if partyIDType == "MSISDN", !(5...15).contains(partyID.count) || !partyID.allSatisfy(\.isASCIIDigit) {
            throw .badRequest("payee.partyId must be an MSISDN: 5 to 15 digits, country code first, no +.")
        }
        func text(_ name: String) throws(MTNError) -> String? {
            guard let value = body[name], !value.isNull else { return nil }
            guard let string = value.stringValue, string.count <= 160 else {
                throw .badRequest("\(name) must be a string of at most 160 characters.")
            }
            return string
        }
        self.referenceID = referenceID
        self.callbackURL = callbackURL
        self.amount = amount
        self.externalID = try text("externalId")
        self.partyIDType = partyIDType
        self.partyID = partyID
        self.payerMessage = try text("payerMessage")
        self.payeeNote = try text("payeeNote")
    }

    /// `8-4-4-4-12` hexadecimal digits.
    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) else { return false }
            }
        }
        return true
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
