import HTTP
import Shared

/// Razorpay request bodies: JSON, or form-encoded with `notes[key]=value` (both are accepted).
struct RazorpayInput: Sendable {
    let fields: [String: JSONValue]

    init(_ request: HTTPRequest) throws(RazorpayError) {
        let body = request.body
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            fields = [:]
            return
        }
        if request.headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false {
            guard let form = try? StripeForm(encoded: body) else {
                throw .badRequest("The request body could not be decoded.")
            }
            var fields: [String: JSONValue] = [:]
            var notes: [String: JSONValue] = [:]
            for pair in form.pairs {
                if pair.name.hasPrefix("notes["), pair.name.hasSuffix("]") {
                    notes[String(pair.name.dropFirst(6).dropLast())] = .string(pair.value)
                } else {
                    fields[pair.name] = .string(pair.value)
                }
            }
            if !notes.isEmpty { fields["notes"] = .object(notes) }
            self.fields = fields
            return
        }
        guard let value = try? JSONValue.parse(body), case .object(let members) = value else {
            throw .badRequest("The request body must be a JSON object.")
        }
        fields = members
    }

    /// An integer amount in the currency's smallest unit; digits in a string are accepted, as Razorpay does.
    func integer(_ name: String) throws(RazorpayError) -> Int64? {
        guard let value = fields[name], !value.isNull else { return nil }
        if let number = value.int64Value { return number }
        if let text = value.stringValue, let number = Int64(text) { return number }
        throw .badRequest("The \(name) must be an integer.", field: name)
    }

    func string(_ name: String, maxLength: Int = 255) throws(RazorpayError) -> String? {
        guard let value = fields[name], !value.isNull else { return nil }
        let text: String
        if let string = value.stringValue {
            text = string
        } else if let literal = value.numberLiteral {
            text = literal
        } else {
            throw .badRequest("The \(name) must be a string.", field: name)
        }
        guard text.count <= maxLength else {
            throw .badRequest("The \(name) may not be greater than \(maxLength) characters.", field: name)
        }
        return text
    }

    /// `1`/`0` or `true`/`false`.
    func flag(_ name: String) throws(RazorpayError) -> Bool? {
        guard let value = fields[name], !value.isNull else { return nil }
        if let bool = value.boolValue { return bool }
        switch value.int64Value ?? value.stringValue.flatMap({ Int64($0) }) {
        case 1: return true
        case 0: return false
        default:
            if let text = value.stringValue, ["true", "false"].contains(text) { return text == "true" }
            throw .badRequest("The \(name) field is invalid.", field: name)
        }
    }

    /// `notes`: up to 15 keys, values up to 256 characters, kept as strings.
    func notes() throws(RazorpayError) -> [String: String] {
        guard let value = fields["notes"], !value.isNull else { return [:] }
        if case .array(let items) = value, items.isEmpty { return [:] }
        guard case .object(let members) = value else {
            throw .badRequest("The notes must be an object.", field: "notes")
        }
        guard members.count <= 15 else {
            throw .badRequest("Number of fields in notes should be less than or equal to 15", field: "notes")
        }
        var notes: [String: String] = [:]
        for (key, item) in members {
            let text = item.stringValue ?? item.numberLiteral ?? item.boolValue.map { $0 ? "true" : "false" } ?? ""
            guard text.count <= 256 else {
                throw .badRequest("notes.\(key) should be less than 256 characters", field: "notes")
            }
            notes[key] = text
        }
        return notes
    }
}

extension Dictionary where Key == String, Value == String {
    /// Razorpay's PHP heritage: empty `notes` are written as `[]`, not `{}`.
    var razorpayNotes: JSONValue {
        isEmpty ? .array([]) : .object(mapValues(JSONValue.string))
    }
}
