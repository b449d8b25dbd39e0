import HTTP
import Shared

/// An `application/x-www-form-urlencoded` body in Stripe's dialect (PayPal's and Razorpay's forms are
/// plain pairs of it): pairs in the order added, nested keys in bracket form (`metadata[coffer_id]`),
/// arrays as `expand[]`. Coffer's adapters encode with it and the sandbox decodes with it, so the two
/// cannot drift apart.
///
/// Names and values are percent-encoded as UTF-8 (everything but RFC 3986 unreserved characters, so
/// `&`, `=`, `+`, spaces and non-ASCII cannot change the body's structure); the brackets of nested keys
/// stay literal, as Stripe's own libraries send them.
public struct FormBody: Sendable {
    /// `name=value` pairs in the order added (or sent), decoded.
    public private(set) var pairs: [(name: String, value: String)]

    public init(pairs: [(name: String, value: String)] = []) {
        self.pairs = pairs
    }

    public struct MalformedEscape: Error, Sendable {}

    /// Parses a form body (or a query string); `+` is a space. A malformed escape is refused.
    public init<Bytes: Collection<UInt8>>(encoded bytes: Bytes) throws(MalformedEscape) {
        var pairs: [(name: String, value: String)] = []
        for piece in String(decoding: bytes, as: UTF8.self).split(separator: "&", omittingEmptySubsequences: true) {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusAsSpace: true),
                let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusAsSpace: true) : ""
            else { throw MalformedEscape() }
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    public mutating func add(_ name: String, _ value: String?) {
        if let value { pairs.append((name, value)) }
    }

    /// `parent[child]=value`.
    public mutating func add(_ parent: String, _ child: String, _ value: String) {
        pairs.append(("\(parent)[\(child)]", value))
    }

    /// The last value of a parameter.
    public func value(_ name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    public var encoded: [UInt8] {
        Array(pairs.map { "\(Self.encodeName($0.name))=\(ProviderURL.encode($0.value))" }.joined(separator: "&").utf8)
    }

    /// Encodes each bracketed part of a name, keeping the brackets: `metadata[a b]` → `metadata[a%20b]`.
    static func encodeName(_ name: String) -> String {
        var out = ""
        var part = ""
        for character in name {
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
