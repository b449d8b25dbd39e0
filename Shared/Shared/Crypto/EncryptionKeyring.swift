/// Versioned master keys for secrets at rest (tenants' provider credentials). Every ciphertext
/// names its key version so the master key can be rotated: old versions still open, new seals use
/// the newest.
///
/// Sealed format: `v<version>.<base64url(nonce ‖ ciphertext ‖ tag)>`, unpadded, AES-256-GCM with
/// a random 12-byte nonce and a 16-byte tag, e.g. `v2.q83vEjRWeJA…`. The UTF-8 bytes of `context`
/// are the associated data: seal a provider secret with a context naming its row
/// (`"tenant:ten_123:connector:stripe"`) and a ciphertext copied to another row fails to open.
///
/// Rotation: deploy `v2:<new>,v1:<old>`; new seals use v2, v1 values still open; re-seal every
/// value for which `needsReencryption` is true, then drop v1.
///
/// `description`, `debugDescription` and `Mirror` show only the versions, so printing, logging or
/// `dump`ing a keyring cannot reveal a key.
public struct EncryptionKeyring: Sendable {
    private let keys: [Int: [UInt8]]
    /// The version used by `seal`: the highest one.
    public let currentVersion: Int

    /// Versions (≥ 1) to 32-byte AES-256 keys; the highest version becomes current.
    public init(keys: [Int: [UInt8]]) throws {
        guard let current = keys.keys.max() else {
            throw CryptoError(code: CryptoError.Code.noKeys, reason: "a keyring needs at least one key")
        }
        for (version, key) in keys.sorted(by: { $0.key < $1.key }) {
            guard version >= 1 else {
                throw CryptoError(code: CryptoError.Code.invalidKeyVersion, reason: "key versions start at 1")
            }
            guard key.count == AESGCM.keyByteCount else {
                throw CryptoError(
                    code: CryptoError.Code.invalidKeyLength,
                    reason: "key v\(version) is \(key.count) bytes; AES-256 needs 32")
            }
        }
        self.keys = keys
        self.currentVersion = current
    }

    /// All versions this keyring can open, ascending.
    public var versions: [Int] { keys.keys.sorted() }

    /// A key for another purpose derived from the current master key (HMAC-SHA256 of `label`), so no
    /// second secret needs managing: e.g. the key that fingerprints payout destinations. It changes
    /// with the current version: whatever uses it recomputes on `cofferctl keys rotate`.
    public func derivedKey(label: String) -> [UInt8] {
        HMAC.sha256(key: keys[currentVersion] ?? [], message: "coffer:" + label)
    }

    /// The same derived key under every version this keyring holds, current first: during a rotation a
    /// value derived under an older version (a fingerprint) still matches.
    public func derivedKeys(label: String) -> [[UInt8]] {
        ([currentVersion] + versions.reversed().filter { $0 != currentVersion }).map {
            HMAC.sha256(key: keys[$0] ?? [], message: "coffer:" + label)
        }
    }

    /// Encrypts `plaintext` under the current key, bound to `context`.
    public func seal(_ plaintext: [UInt8], context: String) throws -> String {
        guard let key = keys[currentVersion] else {
            throw CryptoError(code: CryptoError.Code.internalFailure, reason: "current key missing")
        }
        let box = try AESGCM.seal(plaintext, key: key, associatedData: Array(context.utf8))
        return "v\(currentVersion)." + Base64URL.encode(box.nonce + box.ciphertext + box.tag)
    }

    /// Encrypts the UTF-8 bytes of `plaintext`.
    public func seal(_ plaintext: String, context: String) throws -> String {
        try seal(Array(plaintext.utf8), context: context)
    }

    /// Decrypts a value made by `seal` with the same `context`. Throws `malformed_ciphertext`
    /// for text that is not a sealed value, `unknown_key_version` for a version this keyring
    /// lacks, and `authentication_failed` for a wrong context or an altered value.
    public func open(_ sealed: String, context: String) throws -> [UInt8] {
        guard let (version, payload) = Self.split(sealed) else {
            throw CryptoError(
                code: CryptoError.Code.malformedCiphertext, reason: "not a v<version>.<base64url> sealed value")
        }
        guard let key = keys[version] else {
            throw CryptoError(code: CryptoError.Code.unknownKeyVersion, reason: "no key for version v\(version)")
        }
        guard let bytes = Base64URL.decode(String(payload)), bytes.count >= AESGCM.nonceByteCount + AESGCM.tagByteCount
        else {
            throw CryptoError(
                code: CryptoError.Code.malformedCiphertext, reason: "sealed payload is not base64url or too short")
        }
        let tagStart = bytes.count - AESGCM.tagByteCount
        return try AESGCM.open(
            ciphertext: Array(bytes[AESGCM.nonceByteCount..<tagStart]),
            key: key,
            nonce: Array(bytes[..<AESGCM.nonceByteCount]),
            tag: Array(bytes[tagStart...]),
            associatedData: Array(context.utf8))
    }

    /// Decrypts to a string; throws `invalid_utf8` if the plaintext is not UTF-8.
    public func openString(_ sealed: String, context: String) throws -> String {
        var bytes = try open(sealed, context: context)
        defer { Zeroize.wipe(&bytes) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CryptoError(code: CryptoError.Code.invalidUTF8, reason: "sealed plaintext is not UTF-8")
        }
        return text
    }

    /// The key version a sealed value names, or nil if it is not a sealed value.
    public func version(of sealed: String) -> Int? {
        Self.split(sealed)?.version
    }

    /// True when `sealed` names a version older than `currentVersion` and should be re-sealed.
    /// False for current values and for text that is not a sealed value (`open` reports those).
    public func needsReencryption(_ sealed: String) -> Bool {
        guard let version = version(of: sealed) else { return false }
        return version < currentVersion
    }

    /// Splits `v<digits>.<payload>`; versions are canonical decimals (no sign, no leading zero).
    private static func split(_ sealed: String) -> (version: Int, payload: Substring)? {
        guard sealed.hasPrefix("v"), let dot = sealed.firstIndex(of: ".") else { return nil }
        let digits = sealed[sealed.index(after: sealed.startIndex)..<dot]
        guard (1...9).contains(digits.utf8.count), digits.utf8.first != UInt8(ascii: "0"),
            digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let version = Int(digits)
        else { return nil }
        return (version, sealed[sealed.index(after: dot)...])
    }
}

extension EncryptionKeyring: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "EncryptionKeyring(versions: \(versions), current: \(currentVersion))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["versions": versions, "currentVersion": currentVersion], displayStyle: .struct)
    }
}
