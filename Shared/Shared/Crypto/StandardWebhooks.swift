/// The Standard Webhooks scheme (standardwebhooks.com), both ways: ingress verifies providers that
/// sign with it (Paystack-, Flutterwave-style `webhook-*` headers), and the notifications service
/// will sign tenants' webhooks with it. Headers `webhook-id`, `webhook-timestamp` and
/// `webhook-signature` (space-separated `v1,<base64>` entries, one per secret while a secret
/// rotates); the key is the base64-decoded part of `whsec_…`; the signed content is
/// `"<id>.<timestamp>.<raw body>"` under HMAC-SHA256.
public enum StandardWebhooks {
    public static let secretPrefix = "whsec_"

    /// `whsec_<base64>` → the key bytes; nil for anything else (an empty key included).
    public static func key(fromSecret secret: String) -> [UInt8]? {
        guard secret.hasPrefix(secretPrefix), let key = Base64.decode(String(secret.dropFirst(secretPrefix.count))),
            !key.isEmpty
        else { return nil }
        return key
    }

    /// A new secret: `whsec_` and the base64 of `byteCount` random bytes (the spec asks for 24 to 64).
    public static func makeSecret(byteCount: Int = 32) -> String {
        secretPrefix + Base64.encode(SecureRandom.bytes(min(64, max(24, byteCount))))
    }

    /// The raw signature of one message under one key.
    public static func mac<Body: Collection<UInt8>>(id: String, timestamp: Int64, body: Body, key: [UInt8]) -> [UInt8] {
        var context = HMACContext(digest: .sha256, key: key)
        context.update("\(id).\(timestamp).")
        context.update(body)
        return context.finalize()
    }

    /// The `webhook-signature` value: one `v1,<base64>` entry per key, in the order given (during a
    /// rotation the new key first, the old alongside, so receivers holding either verify).
    public static func signatureHeader<Body: Collection<UInt8>>(
        id: String, timestamp: Int64, body: Body, keys: [[UInt8]]
    )
        -> String
    {
        keys.map { "v1," + Base64.encode(mac(id: id, timestamp: timestamp, body: body, key: $0)) }.joined(
            separator: " ")
    }

    /// The v1 signatures of a `webhook-signature` header; entries of other versions or not base64 are
    /// skipped.
    public static func signatures(inHeader header: String) -> [[UInt8]] {
        header.split(separator: " ").compactMap { entry -> [UInt8]? in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { return nil }
            return Base64.decode(String(parts[1]))
        }
    }

    /// Whether one of `signatures` is `key`'s over the message (compared in constant time). The
    /// timestamp's freshness is the caller's to check.
    public static func matches<Body: Collection<UInt8>>(
        _ signatures: [[UInt8]], id: String, timestamp: Int64, body: Body, key: [UInt8]
    ) -> Bool {
        let expected = mac(id: id, timestamp: timestamp, body: body, key: key)
        return signatures.contains { ConstantTime.equals($0, expected) }
    }
}
