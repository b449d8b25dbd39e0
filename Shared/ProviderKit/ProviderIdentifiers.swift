/// Checks on ids and keys before they go into a URL or header.
public enum ProviderIdentifiers {
    /// A provider object id to put in a path: refused when empty (it would name the collection).
    public static func require(_ id: String, _ field: String) throws(ProviderError) -> String {
        guard !id.isEmpty, id.utf8.count <= 255 else {
            throw ProviderError.invalid("invalid_id", "The \(field) is empty or too long.")
        }
        return id
    }

    /// An idempotency key for a header: refused when empty or when it holds control characters.
    public static func requireKey(_ key: String) throws(ProviderError) -> String {
        guard !key.isEmpty, key.utf8.count <= 255, key.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) else {
            throw ProviderError.invalid(
                "invalid_idempotency_key", "The idempotency key is empty, too long or not printable.")
        }
        return key
    }
}
