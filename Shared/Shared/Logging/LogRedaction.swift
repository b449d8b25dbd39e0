import Synchronization

/// Decides which metadata keys hold secrets. A value under such a key never reaches a log line,
/// whatever the caller passed: the key name is the contract, so a new secret field is safe by default.
public enum LogRedaction {
    /// Substrings of a lower-cased key that mark its value as secret.
    public static let sensitiveFragments: [String] = [
        "secret", "password", "passwd", "token", "authorization", "api_key", "apikey", "card", "account",
        "signature", "cookie", "private_key", "salt", "credential", "cvv", "iban", "msisdn", "vpa",
    ]
    public static let placeholder = "[REDACTED]"

    private static let fragmentBytes: [[UInt8]] = sensitiveFragments.map { Array($0.utf8) }
    /// Keys seen so far and their verdict; log keys are a small fixed vocabulary, so this stays small.
    private static let verdicts = Mutex<[String: Bool]>([:])

    public static func isSensitive(_ key: String) -> Bool {
        if let known = verdicts.withLock({ $0[key] }) { return known }
        let verdict = computeSensitivity(key)
        verdicts.withLock { cache in
            if cache.count < 4096 { cache[key] = verdict }
        }
        return verdict
    }

    /// Byte-level, ASCII case-insensitive: no Foundation string search on the logging path.
    static func computeSensitivity(_ key: String) -> Bool {
        let lowered = key.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
        // "pan" alone would hit "company"; only a key that is exactly "pan" or ends in "_pan" counts.
        if lowered == Array("pan".utf8) || lowered.suffix(4).elementsEqual("_pan".utf8) { return true }
        for fragment in fragmentBytes where fragment.count <= lowered.count {
            for start in 0...(lowered.count - fragment.count)
            where lowered[start] == fragment[0] && lowered[start..<(start + fragment.count)].elementsEqual(fragment) {
                return true
            }
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
        switch value {
        case .null:
            return value
        case .dictionary(let inner):
            return isSensitive(key) ? .string(placeholder) : .dictionary(redact(inner))
        case .array(let items):
            return isSensitive(key) ? .string(placeholder) : .array(items.map { redact(key: key, $0) })
        default:
            return isSensitive(key) ? .string(placeholder) : value
        }
    }
}
