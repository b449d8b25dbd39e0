import Shared

/// API keys: `ck_test_…` / `ck_live_…` followed by 32 random base64url characters (192 bits). Only
/// the SHA-256 and a short prefix are stored; the key itself is shown once, when it is created.
public struct APIKeyMaterial: Sendable {
    public let secret: String
    public let hash: String
    public let prefix: String

    public static func generate(livemode: Bool) -> APIKeyMaterial {
        let secret = (livemode ? "ck_live_" : "ck_test_") + Base64URL.encode(SecureRandom.bytes(24))
        return APIKeyMaterial(secret: secret, hash: hash(secret), prefix: String(secret.prefix(12)))
    }

    public static func hash(_ secret: String) -> String { Hex.encode(SHA256.hash(secret)) }

    /// Cheap shape check before any lookup (a flood of garbage never reaches the database).
    public static func looksValid(_ candidate: String) -> Bool {
        (candidate.hasPrefix("ck_test_") || candidate.hasPrefix("ck_live_")) && candidate.utf8.count == 40
            && candidate.utf8.dropFirst(8).allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45
                    || byte == 95
            }
    }
}

/// What a key may do. `read_only` reads; `approver` reads and approves what another key created;
/// `full` does everything except approving its own objects.
public enum APIKeyRole: String, Sendable, CaseIterable {
    case full, approver, readOnly = "read_only"
}
