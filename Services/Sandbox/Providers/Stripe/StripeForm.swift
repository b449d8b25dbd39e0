import HTTP
import ProviderKit
import Shared

/// Stripe's request parameters: `application/x-www-form-urlencoded`, with nested hashes written as
/// `metadata[order_id]=42` and arrays as `expand[]=latest_charge`. Unknown parameters are accepted
/// and ignored (the sandbox implements a subset).
struct StripeForm: Sendable {
    /// Decoded `name=value` pairs in the order sent.
    let pairs: [(name: String, value: String)]

    init(pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    /// Parses a form body (or a query string) with the decoder of the same `FormBody` Coffer's adapters
    /// encode with. A malformed escape is a 400, as at Stripe.
    init<Bytes: Collection<UInt8>>(encoded bytes: Bytes) throws(StripeError) {
        do {
            pairs = try FormBody(encoded: bytes).pairs
        } catch {
            throw .invalidRequest("Invalid request body: could not decode form parameters.")
        }
    }

    /// The last value of a top-level parameter.
    func value(_ name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    /// A required string parameter.
    func required(_ name: String) throws(StripeError) -> String {
        guard let value = value(name), !value.isEmpty else { throw .missingParameter(name) }
        return value
    }

    /// An integer parameter (amounts are integers in the currency's smallest unit).
    func integer(_ name: String) throws(StripeError) -> Int64? {
        guard let text = value(name) else { return nil }
        guard let number = Int64(text) else { throw .invalidInteger(name, text) }
        return number
    }

    func boolean(_ name: String) throws(StripeError) -> Bool? {
        guard let text = value(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw .invalidRequest("Invalid boolean: \(text)", code: "parameter_invalid_boolean", param: name)
        }
    }

    /// A hash parameter such as `metadata[key]=value`; nil when absent. `metadata=` (empty) is an
    /// empty hash, which Stripe reads as "unset every key".
    func hash(_ name: String) throws(StripeError) -> [String: String]? {
        var result: [String: String]?
        let prefix = name + "["
        for pair in pairs {
            if pair.name == name {
                guard pair.value.isEmpty else {
                    throw .invalidRequest("Invalid hash", code: "parameter_invalid_empty", param: name)
                }
                result = result ?? [:]
            } else if pair.name.hasPrefix(prefix), pair.name.hasSuffix("]") {
                let key = String(pair.name.dropFirst(prefix.count).dropLast())
                guard !key.isEmpty, !key.contains("["), !key.contains("]") else { continue }
                var hash = result ?? [:]
                hash[key] = pair.value
                result = hash
            }
        }
        return result
    }

    /// Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500.
    func metadata() throws(StripeError) -> [String: String]? {
        guard let metadata = try hash("metadata") else { return nil }
        guard metadata.count <= 50 else {
            throw .invalidRequest("You can specify up to 50 keys in metadata.", param: "metadata")
        }
        for (key, value) in metadata {
            guard key.count <= 40 else {
                throw .invalidRequest("Metadata keys can be up to 40 characters long.", param: "metadata[\(key)]")
            }
            guard value.count <= 500 else {
                throw .invalidRequest("Metadata values can be up to 500 characters long.", param: "metadata[\(key)]")
            }
        }
        return metadata
    }

    /// Applies a metadata update as Stripe does: `metadata=` clears every key, an empty value removes
    /// its key, anything else sets it.
    static func apply(_ update: [String: String]?, to metadata: inout [String: String]) {
        guard let update else { return }
        if update.isEmpty {
            metadata = [:]
            return
        }
        for (key, value) in update {
            metadata[key] = value.isEmpty ? nil : value
        }
    }

    /// What "the same parameters" means for idempotency: the pairs sorted, so order does not matter.
    var canonicalBytes: [UInt8] {
        var bytes: [UInt8] = []
        for pair in pairs.sorted(by: { ($0.name, $0.value) < ($1.name, $1.value) }) {
            bytes.append(contentsOf: pair.name.utf8)
            bytes.append(0)
            bytes.append(contentsOf: pair.value.utf8)
            bytes.append(0)
        }
        return bytes
    }
}
