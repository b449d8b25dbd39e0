import Shared

/// A version-4-shaped UUID derived from an idempotency key, for providers that name a request by a UUID
/// the caller picks (MTN MoMo's `X-Reference-Id`) or that limit their idempotency keys to a shape
/// Coffer's keys may not fit (RazorpayX). Random UUIDs would give every retry a new name, and the
/// provider would pay again; this gives the same key the same UUID in every process, forever.
///
/// The first 16 bytes of SHA-256 of the key's UTF-8, with the version (4) and RFC 4122 variant bits set,
/// in lowercase 8-4-4-4-12 form.
enum PayoutReferenceUUID {
    static func make(from key: String) -> String {
        var bytes = Array(SHA256.hash(key).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array(Hex.encode(bytes))
        let groups = [hex[0..<8], hex[8..<12], hex[12..<16], hex[16..<20], hex[20..<32]]
        return groups.map { String($0) }.joined(separator: "-")
    }
}
