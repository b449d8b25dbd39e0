import ProviderKit
/// A Stripe request body: `application/x-www-form-urlencoded` pairs in the order added, with nested
/// keys in Stripe's bracket form (`metadata[coffer_payment_id]`).
///
/// Values and key names are percent-encoded as UTF-8 (everything but RFC 3986 unreserved characters,
/// so `&`, `=`, `+`, spaces and non-ASCII cannot change the body's structure); the brackets of nested
/// keys are left literal, as Stripe's own libraries send them.
struct StripeForm: Sendable {
    private(set) var fields: [(key: String, value: String)] = []

    mutating func add(_ key: String, _ value: String) {
        fields.append((key, value))
    }

    mutating func add(_ key: String, _ value: String?) {
        if let value { fields.append((key, value)) }
    }

    /// `parent[child]=value`.
    mutating func add(_ parent: String, _ child: String, _ value: String) {
        fields.append(("\(parent)[\(child)]", value))
    }

    var encoded: [UInt8] {
        Array(fields.map { "\(Self.encodeKey($0.key))=\(ProviderURL.encode($0.value))" }.joined(separator: "&").utf8)
    }

    /// Encodes each bracketed part of a key, keeping the brackets: `metadata[a b]` → `metadata[a%20b]`.
    static func encodeKey(_ key: String) -> String {
        var out = ""
        var part = ""
        for character in key {
            if character == "[" || character == "]" {
                out += ProviderURL.encode(part) + String(character)
                part = ""
            } else {
                part.append(character)
            }
        }
        return out + ProviderURL.encode(part)
    }
}
