import ProviderKit

/// A Stripe request body: `application/x-www-form-urlencoded` pairs in the order added, nested keys in
/// Stripe's bracket form (`metadata[coffer_payout_id]`). Names and values are percent-encoded as UTF-8
/// (everything but RFC 3986 unreserved characters), so `&`, `=` and `+` cannot change the body's
/// structure; the brackets stay literal, as Stripe's libraries send them. (The payments adapter's
/// `StripeForm` is the same encoding; it lives in the Payments module.)
struct StripeTransferForm: Sendable {
    private(set) var fields: [(key: String, value: String)] = []

    mutating func add(_ key: String, _ value: String?) {
        if let value { fields.append((ProviderURL.encode(key), value)) }
    }

    /// `parent[child]=value`.
    mutating func add(_ parent: String, _ child: String, _ value: String) {
        fields.append(("\(ProviderURL.encode(parent))[\(ProviderURL.encode(child))]", value))
    }

    var encoded: [UInt8] {
        Array(fields.map { "\($0.key)=\(ProviderURL.encode($0.value))" }.joined(separator: "&").utf8)
    }
}
