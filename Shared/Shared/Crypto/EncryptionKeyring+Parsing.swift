extension EncryptionKeyring {
    /// Parses `COFFER_MASTER_KEY`: either one key, which becomes version 1, or a comma-separated
    /// list `v2:<key>,v1:<key>` (any order). A key is 64 hex characters or base64 (standard or
    /// URL alphabet, padding optional) of exactly 32 bytes; surrounding whitespace is ignored.
    /// Make one with `openssl rand -base64 32`.
    ///
    /// Errors say which entry is wrong and how (`invalid_encoding`, `invalid_key_length`,
    /// `invalid_key_version`, `duplicate_key_version`, `no_keys`) but never include key text.
    public init(parsing text: String) throws {
        let trimmed = Self.trim(Substring(text))
        guard !trimmed.isEmpty else {
            throw CryptoError(code: CryptoError.Code.noKeys, reason: "master key is empty")
        }
        // Neither hex nor base64 contains ':', so a colon means the versioned list form.
        guard trimmed.contains(":") else {
            try self.init(keys: [1: try Self.decodeKey(trimmed, entry: "the master key")])
            return
        }
        var keys: [Int: [UInt8]] = [:]
        for (position, rawEntry) in trimmed.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let entry = Self.trim(rawEntry)
            let label = "entry \(position + 1)"
            guard let colon = entry.firstIndex(of: ":"), entry.hasPrefix("v"),
                case let digits = entry[entry.index(after: entry.startIndex)..<colon],
                digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let version = Int(digits), version >= 1
            else {
                throw CryptoError(
                    code: CryptoError.Code.invalidKeyVersion,
                    reason: "\(label) must look like v<version ≥ 1>:<key>")
            }
            guard keys[version] == nil else {
                throw CryptoError(
                    code: CryptoError.Code.duplicateKeyVersion, reason: "version v\(version) appears twice")
            }
            keys[version] = try Self.decodeKey(Self.trim(entry[entry.index(after: colon)...]), entry: "key v\(version)")
        }
        try self.init(keys: keys)
    }

    private static func decodeKey(_ text: Substring, entry: String) throws -> [UInt8] {
        let text = String(text)
        // 64 hex characters are also valid base64 (of 48 bytes), so hex wins at that length; other
        // all-hex text that is not base64 is decoded as hex only to report its length.
        let looksHex = text.utf8.count % 2 == 0 && text.utf8.allSatisfy { ConstantTimeASCII.hexValue($0).valid != 0 }
        let decoded =
            looksHex && text.utf8.count == 64
            ? Hex.decode(text)
            : Base64.decode(text) ?? Base64URL.decode(text) ?? (looksHex ? Hex.decode(text) : nil)
        guard var key = decoded else {
            throw CryptoError(
                code: CryptoError.Code.invalidEncoding, reason: "\(entry) is neither 64 hex characters nor base64")
        }
        guard key.count == AESGCM.keyByteCount else {
            let count = key.count
            Zeroize.wipe(&key)
            throw CryptoError(
                code: CryptoError.Code.invalidKeyLength, reason: "\(entry) decodes to \(count) bytes; AES-256 needs 32")
        }
        return key
    }

    private static func trim(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return text[first...last]
    }
}
