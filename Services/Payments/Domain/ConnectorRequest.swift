import Contracts
import Foundation
import Shared

/// `PUT /v1/connectors/{provider}`, read strictly. Secrets not mentioned keep their stored value;
/// `null` removes one.
struct ConnectorRequest: Sendable {
    /// Defaults to the calling key's mode; a key only manages connectors of its own mode.
    var mode: String?
    var priority: Int?
    var status: String?
    var credentials: [String: String?] = [:]
    var secrets: [String: String?] = [:]
    var webhookID: String??
    var certificates: [String]??
    var saltIndex: Int??
    var apiBaseURL: String??

    /// Whether this replaces what authenticates the connector or its webhooks, or where its calls go: on a
    /// live connector such a change waits for a second key's approval.
    var replacesSecrets: Bool {
        !credentials.isEmpty || !secrets.isEmpty || apiBaseURL != nil || webhookID != nil || certificates != nil
            || saltIndex != nil
    }

    init(json: JSONValue, provider: ProviderName) throws(DomainError) {
        guard let object = json.objectValue else {
            throw DomainError.invalid("The body must be a JSON object.", code: "invalid_request")
        }
        let rules = ConnectorRules.rules(provider)
        let allowedSecrets = rules.secretFields.union(
            ConnectorRules.needsCallbackToken(provider) ? ["callback_token"] : [])
        let allowed =
            ["mode", "priority", "status", "credentials", "api_base_url"] + Array(allowedSecrets)
            + Array(rules.publicFields)
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw DomainError.invalid(
                "Unknown or invalid fields for \(provider.rawValue): \(unknown.joined(separator: ", ")).",
                code: "unknown_fields", param: unknown.first)
        }
        if let value = object["mode"] {
            guard let text = value.stringValue, ["test", "live"].contains(text) else {
                throw DomainError.invalid("mode must be test or live.", param: "mode")
            }
            mode = text
        }
        if let value = object["priority"] {
            guard let number = value.int64Value, (1...100).contains(number) else {
                throw DomainError.invalid("priority must be an integer from 1 to 100.", param: "priority")
            }
            priority = Int(number)
        }
        if let value = object["status"] {
            guard let text = value.stringValue, ["active", "disabled"].contains(text) else {
                throw DomainError.invalid("status must be active or disabled.", param: "status")
            }
            status = text
        }
        if let value = object["credentials"] {
            guard let credentialObject = value.objectValue else {
                throw DomainError.invalid("credentials must be an object.", param: "credentials")
            }
            let unknownCredentials = credentialObject.keys.filter { !rules.credentials.contains($0) }.sorted()
            guard unknownCredentials.isEmpty else {
                throw DomainError.invalid(
                    "Unknown credentials for \(provider.rawValue): \(unknownCredentials.joined(separator: ", ")).",
                    code: "unknown_fields", param: "credentials.\(unknownCredentials[0])")
            }
            for (name, value) in credentialObject {
                credentials[name] = try Self.secret(value, param: "credentials.\(name)")
            }
        }
        for field in allowedSecrets {
            if let value = object[field] { secrets[field] = try Self.secret(value, param: field) }
        }
        if let value = object["webhook_id"] {
            webhookID = .some(value == .null ? nil : try Self.text(value, param: "webhook_id"))
        }
        if let value = object["certificates"] {
            if value == .null {
                certificates = .some(nil)
            } else {
                guard let items = value.arrayValue?.compactMap(\.stringValue), items.count == value.arrayValue?.count,
                    items.count <= 5
                else {
                    throw DomainError.invalid(
                        "certificates must be a list of up to 5 PEM certificates.", param: "certificates")
                }
                for pem in items where (try? X509Certificate(pem: pem)) == nil {
                    throw DomainError.invalid(
                        "A certificate is not a valid PEM X.509 certificate.", param: "certificates")
                }
                certificates = .some(items)
            }
        }
        if let value = object["salt_index"] {
            guard let number = value.int64Value, (1...100).contains(number) else {
                throw DomainError.invalid("salt_index must be an integer from 1 to 100.", param: "salt_index")
            }
            saltIndex = .some(Int(number))
        }
        if let value = object["api_base_url"] {
            apiBaseURL = .some(value == .null ? nil : try Self.text(value, param: "api_base_url"))
        }
        if let secret = secrets["webhook_secret"] ?? nil, provider == .stripe || provider == .standard,
            !secret.hasPrefix("whsec_")
        {
            throw DomainError.invalid(
                "A \(provider.rawValue) webhook secret starts with whsec_.", param: "webhook_secret")
        }
    }

    static func secret(_ value: JSONValue, param: String) throws(DomainError) -> String? {
        if value == .null { return nil }
        let text = try text(value, param: param)
        guard (4...4096).contains(text.utf8.count) else {
            throw DomainError.invalid("\(param) must be 4 to 4096 characters.", param: param)
        }
        return text
    }

    static func text(_ value: JSONValue, param: String) throws(DomainError) -> String {
        guard let text = value.stringValue, !text.isEmpty, !text.unicodeScalars.contains(where: { $0.value < 0x20 })
        else {
            throw DomainError.invalid("\(param) must be a non-empty string.", param: param)
        }
        return text
    }
}
