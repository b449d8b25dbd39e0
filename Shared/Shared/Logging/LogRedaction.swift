/// Decides which metadata keys hold secrets. A value under such a key never reaches a log line,
/// whatever the caller passed: the key name is the contract, so a new secret field is safe by default.
public enum LogRedaction {
    /// Substrings of a lower-cased key that mark its value as secret.
    public static let sensitiveFragments: [String] = [
        "secret", "password", "passwd", "token", "authorization", "api_key", "apikey", "card", "account",
        "signature", "cookie", "private_key", "salt", "credential", "pan", "cvv", "iban", "msisdn", "vpa",
    ]
    public static let placeholder = "[REDACTED]"

    public static func isSensitive(_ key: String) -> Bool {
        let lowered = key.lowercased()
        // "pan" as a fragment would hit "company"; only a key that is exactly "pan" or ends in "_pan" counts.
        if lowered == "pan" || lowered.hasSuffix("_pan") { return true }
        for fragment in sensitiveFragments where fragment != "pan" {
            if lowered.contains(fragment) { return true }
        }
        return false
    }

    public static func redact(_ metadata: [String: LogValue]) -> [String: LogValue] {
        var out = metadata
        for (key, value) in metadata {
            out[key] = redact(key: key, value)
        }
        return out
    }

    static func redact(key: String, _ value: LogValue) -> LogValue {
        if isSensitive(key), value != .null { return .string(placeholder) }
        switch value {
        case .dictionary(let inner): return .dictionary(redact(inner))
        case .array(let items): return .array(items.map { redact(key: key, $0) })
        default: return value
        }
    }
}
