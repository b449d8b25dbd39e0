import COpenSSL

/// A failed cryptographic operation.
///
/// `description` names only the stable `code`, so logging an error can never leak a key, a
/// plaintext or the bytes of a request. `debugDescription` adds what was being done (text written
/// here, never input data) and the OpenSSL error queue (library/reason strings, without OpenSSL's
/// free-form "data" field, which can echo input).
public struct CryptoError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Stable, machine-readable reason, one of `CryptoError.Code`; callers branch on it.
    public var code: String
    /// What failed, in words chosen by this module; never contains key material or input bytes.
    public var reason: String
    /// The OpenSSL error queue at the time of failure, oldest first.
    public var openSSLErrors: [String]

    public init(code: String, reason: String, openSSLErrors: [String] = []) {
        self.code = code
        self.reason = reason
        self.openSSLErrors = openSSLErrors
    }

    public var description: String { "crypto operation failed (\(code))" }

    public var debugDescription: String {
        var text = "CryptoError(code: \(code), reason: \(reason)"
        if !openSSLErrors.isEmpty { text += ", openssl: [\(openSSLErrors.joined(separator: "; "))]" }
        return text + ")"
    }

    /// Builds an error from a failed libcrypto call, draining this thread's error queue so a stale
    /// entry cannot be blamed on a later, unrelated operation.
    static func openSSL(_ code: String, _ reason: String) -> CryptoError {
        CryptoError(code: code, reason: reason, openSSLErrors: OpenSSLErrorQueue.drain())
    }
}

extension CryptoError {
    /// The codes this module produces. Strings rather than an enum so new ones can be added
    /// without breaking callers that switch on them.
    public enum Code: Sendable {
        public static let invalidKey = "invalid_key"
        public static let invalidKeyLength = "invalid_key_length"
        public static let invalidNonceLength = "invalid_nonce_length"
        public static let invalidTagLength = "invalid_tag_length"
        public static let inputTooLarge = "input_too_large"
        public static let authenticationFailed = "authentication_failed"
        public static let malformedCiphertext = "malformed_ciphertext"
        public static let unknownKeyVersion = "unknown_key_version"
        public static let invalidKeyVersion = "invalid_key_version"
        public static let duplicateKeyVersion = "duplicate_key_version"
        public static let noKeys = "no_keys"
        public static let invalidEncoding = "invalid_encoding"
        public static let invalidUTF8 = "invalid_utf8"
        public static let invalidPEM = "invalid_pem"
        public static let invalidDER = "invalid_der"
        public static let notRSA = "not_rsa"
        public static let invalidKeySize = "invalid_key_size"
        public static let keyGenerationFailed = "key_generation_failed"
        public static let signingFailed = "signing_failed"
        public static let invalidCertificate = "invalid_certificate"
        public static let noCertificates = "no_certificates"
        public static let invalidName = "invalid_name"
        public static let invalidValidity = "invalid_validity"
        public static let keyMismatch = "key_mismatch"
        public static let certificateCreationFailed = "certificate_creation_failed"
        public static let expired = "expired"
        public static let notYetValid = "not_yet_valid"
        public static let untrustedChain = "untrusted_chain"
        public static let signatureInvalid = "signature_invalid"
        public static let invalidCA = "invalid_ca"
        public static let chainInvalid = "chain_invalid"
        public static let internalFailure = "internal_failure"
    }
}

/// Reads and clears libcrypto's per-thread error queue.
enum OpenSSLErrorQueue {
    /// At most this many entries are kept; a runaway queue should not bloat an error value.
    static let limit = 16

    static func drain() -> [String] {
        var lines: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            guard lines.count < limit else { continue }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            lines.append(String(decoding: bytes, as: UTF8.self))
        }
        return lines
    }

    /// Discards the queue after a failure that is reported as a plain `false`/`nil`.
    static func clear() { ERR_clear_error() }
}
