import HTTP
import Shared

/// Reads a JSON request body strictly: unknown fields are refused by name, every field's type and
/// range is checked, and each error names its `param`.
public struct BodyReader {
    public let object: [String: JSONValue]
    /// Prepended to every `param` (`customer.` for a nested object).
    public let prefix: String

    /// Reads a nested object (`customer`), naming its fields `<name>.<field>` in errors.
    public init(nested value: JSONValue, name: String, allowed: Set<String>) throws(HTTPError) {
        guard let object = value.objectValue else {
            throw HTTPError.badRequest("\(name) must be an object.", param: name)
        }
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw HTTPError.badRequest(
                "Unknown fields: \(unknown.map { name + "." + $0 }.joined(separator: ", ")).", code: "unknown_fields",
                param: name + "." + unknown[0])
        }
        self.object = object
        prefix = name + "."
    }

    public init(_ body: [UInt8], allowed: Set<String>) throws(HTTPError) {
        prefix = ""
        let value: JSONValue
        if body.isEmpty {
            value = [:]
        } else {
            do { value = try JSONValue.parse(body) } catch {
                throw HTTPError.badRequest("The body is not valid JSON.", code: "invalid_json")
            }
        }
        guard let object = value.objectValue else {
            throw HTTPError.badRequest("The body must be a JSON object.", code: "invalid_request")
        }
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw HTTPError.badRequest(
                "Unknown fields: \(unknown.joined(separator: ", ")).", code: "unknown_fields", param: unknown[0])
        }
        self.object = object
    }

    public func bool(_ name: String) throws(HTTPError) -> Bool? {
        guard let value = object[name], value != .null else { return nil }
        guard let flag = value.boolValue else {
            throw HTTPError.badRequest("\(prefix)\(name) must be true or false.", param: prefix + name)
        }
        return flag
    }

    public func has(_ name: String) -> Bool { object[name] != nil && object[name] != .null }

    public func amount(_ name: String, required: Bool) throws(HTTPError) -> Int64? {
        guard let value = object[name], value != .null else {
            if required {
                throw HTTPError.badRequest(
                    "\(prefix)\(name) is required (an integer in minor units, e.g. 1050 for 10.50).",
                    param: prefix + name)
            }
            return nil
        }
        guard let amount = value.int64Value, amount > 0, amount <= 99_999_999_999 else {
            throw HTTPError.badRequest(
                "\(prefix)\(name) must be a positive integer in minor units, at most 99999999999.",
                code: "invalid_amount", param: prefix + name)
        }
        return amount
    }

    public func currency(_ name: String) throws(HTTPError) -> Currency {
        guard let text = object[name]?.stringValue else {
            throw HTTPError.badRequest("\(prefix)\(name) is required (ISO 4217, e.g. USD).", param: prefix + name)
        }
        guard let currency = Currency(code: text.uppercased()) else {
            throw HTTPError.badRequest(
                "\(text) is not an ISO 4217 currency code.", code: "invalid_currency", param: prefix + name)
        }
        return currency
    }

    public func string(_ name: String, maxLength: Int, allowed: Set<String>? = nil) throws(HTTPError) -> String? {
        guard let value = object[name], value != .null else { return nil }
        guard let text = value.stringValue, !text.isEmpty, text.count <= maxLength,
            !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        else {
            throw HTTPError.badRequest(
                "\(prefix)\(name) must be a non-empty string of at most \(maxLength) characters.", param: prefix + name)
        }
        if let allowed, !allowed.contains(text) {
            throw HTTPError.badRequest(
                "\(prefix)\(name) must be one of \(allowed.sorted().joined(separator: ", ")).", param: prefix + name)
        }
        return text
    }

    public func id(_ name: String, prefix idPrefix: IDPrefix) throws(HTTPError) -> String? {
        guard let text = try string(name, maxLength: 64) else { return nil }
        guard CofferID.isValid(text, prefix: idPrefix) else {
            throw HTTPError.badRequest(
                "\(prefix)\(name) must be a \(idPrefix.rawValue)_ id.", code: "invalid_id", param: prefix + name)
        }
        return text
    }

    /// Stripe's metadata rules: up to 50 keys of at most 40 characters, string values of at most 500.
    public func metadata(_ name: String = "metadata") throws(HTTPError) -> JSONValue {
        guard let value = object[name], value != .null else { return [:] }
        guard let entries = value.objectValue, entries.count <= 50 else {
            throw HTTPError.badRequest("\(prefix)\(name) must be an object with at most 50 keys.", param: prefix + name)
        }
        for (key, entry) in entries {
            guard !key.isEmpty, key.count <= 40, let text = entry.stringValue, text.count <= 500 else {
                throw HTTPError.badRequest(
                    "metadata keys are at most 40 characters and values strings of at most 500.",
                    param: prefix + "\(name).\(key)")
            }
        }
        return value
    }
}
