import COpenSSL

/// AES-256-GCM (NIST SP 800-38D): 32-byte key, 12-byte nonce, full 16-byte tag.
///
/// A nonce must never repeat under one key; leave `nonce` nil and a random one is drawn
/// (fine for well under 2³² messages per key, which secrets at rest never approach).
public enum AESGCM: Sendable {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// Encrypts and authenticates `plaintext`, and authenticates `associatedData`.
    public static func seal(
        _ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]? = nil, associatedData: [UInt8] = []
    ) throws -> (nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
        let nonce = nonce ?? SecureRandom.bytes(nonceByteCount)
        try validate(key: key, nonce: nonce, input: plaintext, associatedData: associatedData)
        guard let context = EVP_CIPHER_CTX_new() else {
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "EVP_CIPHER_CTX_new failed")
        }
        defer { EVP_CIPHER_CTX_free(context) }  // also cleanses the expanded key

        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM encryption setup failed")
        }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM associated data failed")
            }
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1,
                Int(length) == plaintext.count
            else { throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM encryption failed") }
        }
        // GCM is a stream mode: Final writes nothing, but it completes the tag computation.
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_EncryptFinal_ex(context, &scratch, &length) == 1, length == 0 else {
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM finalisation failed")
        }
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1 else {
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM tag extraction failed")
        }
        return (nonce, ciphertext, tag)
    }

    /// Decrypts `ciphertext` after checking `tag` over it and `associatedData`. Throws
    /// `authentication_failed` when anything was altered or the key, nonce or associated data is
    /// wrong; no plaintext is returned (or left in memory) in that case.
    public static func open(
        ciphertext: [UInt8], key: [UInt8], nonce: [UInt8], tag: [UInt8], associatedData: [UInt8] = []
    ) throws -> [UInt8] {
        try validate(key: key, nonce: nonce, input: ciphertext, associatedData: associatedData)
        // OpenSSL would accept a shorter tag and check only its prefix; a truncated tag is forgeable.
        guard tag.count == tagByteCount else {
            throw CryptoError(code: CryptoError.Code.invalidTagLength, reason: "AES-GCM tag must be 16 bytes")
        }
        guard let context = EVP_CIPHER_CTX_new() else {
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "EVP_CIPHER_CTX_new failed")
        }
        defer { EVP_CIPHER_CTX_free(context) }

        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM decryption setup failed")
        }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM associated data failed")
            }
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        if !ciphertext.isEmpty {
            guard EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1,
                Int(length) == ciphertext.count
            else {
                Zeroize.wipe(&plaintext)
                throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM decryption failed")
            }
        }
        var expectedTag = tag
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &expectedTag) == 1 else {
            Zeroize.wipe(&plaintext)
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "AES-GCM tag setup failed")
        }
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context, &scratch, &length) == 1 else {
            // Plaintext that failed authentication is attacker-influenced and must not be used.
            Zeroize.wipe(&plaintext)
            OpenSSLErrorQueue.clear()
            throw CryptoError(
                code: CryptoError.Code.authenticationFailed,
                reason: "AES-GCM tag mismatch: wrong key, nonce or associated data, or altered ciphertext")
        }
        return plaintext
    }

    private static func validate(key: [UInt8], nonce: [UInt8], input: [UInt8], associatedData: [UInt8]) throws {
        guard key.count == keyByteCount else {
            throw CryptoError(code: CryptoError.Code.invalidKeyLength, reason: "AES-256-GCM key must be 32 bytes")
        }
        guard nonce.count == nonceByteCount else {
            throw CryptoError(code: CryptoError.Code.invalidNonceLength, reason: "AES-GCM nonce must be 12 bytes")
        }
        // EVP lengths are Int32; secrets at rest are tiny, so a single-call limit is enough.
        guard input.count <= Int(Int32.max), associatedData.count <= Int(Int32.max) else {
            throw CryptoError(code: CryptoError.Code.inputTooLarge, reason: "AES-GCM input exceeds 2 GiB")
        }
    }
}
