import Foundation
import Shared

/// Destinations at rest: sealed with AES-256-GCM under `COFFER_MASTER_KEY` (bound to the payee), a
/// fingerprint (HMAC under a key derived from the master key) to find one destination shared by
/// several payees without keeping it in the clear, and the last 4 characters for display.
struct DestinationVault: Sendable {
    let keyring: EncryptionKeyring

    static func context(payeeID: String) -> String { "payee:\(payeeID):destination" }

    func seal(_ destination: PayoutDestination, payeeID: String) throws -> String {
        try keyring.seal(Self.encode(destination).serialized(), context: Self.context(payeeID: payeeID))
    }

    func open(_ sealed: String, payeeID: String) throws -> PayoutDestination {
        let json = try JSONValue.parse(try keyring.open(sealed, context: Self.context(payeeID: payeeID)))
        guard let destination = Self.decode(json) else { throw DestinationUnreadable() }
        return destination
    }

    func fingerprint(_ destination: PayoutDestination) -> String {
        Hex.encode(
            HMAC.sha256(
                key: keyring.derivedKey(label: "destination-fingerprint"), message: Self.normalized(destination)))
    }

    /// The destination's fingerprint under every master-key version held (current first): payees
    /// fingerprinted before a rotation still match one fingerprinted after it, until re-sealing brings
    /// every stored fingerprint to the current version.
    func fingerprints(_ destination: PayoutDestination) -> [String] {
        keyring.derivedKeys(label: "destination-fingerprint").map {
            Hex.encode(HMAC.sha256(key: $0, message: Self.normalized(destination)))
        }
    }

    /// What identifies the place money lands (the holder's name does not).
    static func normalized(_ destination: PayoutDestination) -> String {
        switch destination {
        case .bankAccount(let number, let ifsc, _): "bank:\(ifsc):\(number)"
        case .upi(let vpa, _): "upi:\(vpa)"
        case .mobileMoney(let msisdn, _): "msisdn:\(msisdn)"
        case .paypal(let email): "paypal:\(email)"
        case .stripeAccount(let account): "stripe:\(account)"
        }
    }

    static func last4(_ destination: PayoutDestination) -> String {
        let value: String =
            switch destination {
            case .bankAccount(let number, _, _): number
            case .upi(let vpa, _): vpa.split(separator: "@").first.map(String.init) ?? vpa
            case .mobileMoney(let msisdn, _): msisdn
            case .paypal(let email): email.split(separator: "@").first.map(String.init) ?? email
            case .stripeAccount(let account): account
            }
        return String(value.suffix(4))
    }

    /// What the API shows: the kind, masked identifiers, and what is not secret (IFSC, the holder's name,
    /// a UPI or email domain).
    static func masked(kind: PayoutDestination.Kind, last4: String, destination: PayoutDestination?) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string(kind.rawValue), "last4": .string(last4)]
        switch destination {
        case .bankAccount(_, let ifsc, let holder)?:
            object["ifsc"] = .string(ifsc)
            object["holder_name"] = .string(holder)
            object["account_number"] = .string("••••" + last4)
        case .upi(let vpa, let holder)?:
            object["vpa"] = .string("••••" + last4 + "@" + (vpa.split(separator: "@").last.map(String.init) ?? ""))
            object["holder_name"] = .string(holder)
        case .mobileMoney(_, let holder)?:
            object["msisdn"] = .string("••••" + last4)
            object["holder_name"] = .string(holder)
        case .paypal(let email)?:
            object["email"] = .string("••••" + last4 + "@" + (email.split(separator: "@").last.map(String.init) ?? ""))
        case .stripeAccount?:
            object["account_id"] = .string("acct_••••" + last4)
        case nil:
            break
        }
        return .object(object)
    }

    static func encode(_ destination: PayoutDestination) -> JSONValue {
        switch destination {
        case .bankAccount(let number, let ifsc, let holder):
            [
                "type": "bank_account", "account_number": .string(number), "ifsc": .string(ifsc),
                "holder_name": .string(holder),
            ]
        case .upi(let vpa, let holder): ["type": "upi", "vpa": .string(vpa), "holder_name": .string(holder)]
        case .mobileMoney(let msisdn, let holder):
            ["type": "mobile_money", "msisdn": .string(msisdn), "holder_name": .string(holder)]
        case .paypal(let email): ["type": "paypal", "email": .string(email)]
        case .stripeAccount(let account): ["type": "stripe_account", "account_id": .string(account)]
        }
    }

    static func decode(_ json: JSONValue) -> PayoutDestination? {
        func text(_ key: String) -> String? { json[key]?.stringValue }
        switch text("type") {
        case "bank_account":
            guard let number = text("account_number"), let ifsc = text("ifsc"), let holder = text("holder_name") else {
                return nil
            }
            return .bankAccount(accountNumber: number, ifsc: ifsc, holderName: holder)
        case "upi":
            guard let vpa = text("vpa"), let holder = text("holder_name") else { return nil }
            return .upi(vpa: vpa, holderName: holder)
        case "mobile_money":
            guard let msisdn = text("msisdn"), let holder = text("holder_name") else { return nil }
            return .mobileMoney(msisdn: msisdn, holderName: holder)
        case "paypal":
            return text("email").map { .paypal(email: $0) }
        case "stripe_account":
            return text("account_id").map { .stripeAccount(accountID: $0) }
        default:
            return nil
        }
    }
}

struct DestinationUnreadable: Error, CustomStringConvertible {
    var description: String { "a payee's destination cannot be opened (wrong master key?)" }
}
