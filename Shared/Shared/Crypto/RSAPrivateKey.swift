import COpenSSL

/// An RSA private key: signs with RSASSA-PKCS1-v1_5 (the provider sandbox mints PayPal-style
/// signatures and certificates with it).
///
/// `@unchecked Sendable`: the `EVP_PKEY` is never modified after `init`, and OpenSSL 3 allows
/// concurrent signing with one key from many threads (each call uses its own `EVP_MD_CTX`).
public final class RSAPrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The matching public key.
    public let publicKey: RSAPublicKey

    /// Accepted sizes for `generate`: smaller keys are breakable, larger ones needlessly slow.
    public static let generatableBits = 2048...8192

    /// A new key with public exponent 65537.
    public static func generate(bits: Int = 2048) throws -> RSAPrivateKey {
        guard generatableBits.contains(bits) else {
            throw CryptoError(code: CryptoError.Code.invalidKeySize, reason: "RSA key size must be 2048–8192 bits")
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else {
            throw CryptoError.openSSL(CryptoError.Code.keyGenerationFailed, "EVP_PKEY_CTX_new_from_name(RSA) failed")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(context) == 1,
            EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1,
            EVP_PKEY_generate(context, &pkey) == 1,
            let pkey
        else { throw CryptoError.openSSL(CryptoError.Code.keyGenerationFailed, "RSA key generation failed") }
        return try RSAPrivateKey(owning: pkey)
    }

    /// Reads an unencrypted private key PEM: PKCS#8 (`PRIVATE KEY`) or traditional
    /// (`RSA PRIVATE KEY`). Encrypted PEM is rejected rather than prompting for a passphrase.
    public convenience init(pem: String) throws {
        let pkey = try MemoryBIO.reading(pem) { bio in
            guard let pkey = PEM_read_bio_PrivateKey(bio, nil, refusePassphrase, nil) else {
                throw CryptoError.openSSL(CryptoError.Code.invalidPEM, "not an unencrypted private key PEM")
            }
            return pkey
        }
        try self.init(owning: pkey)
    }

    /// Takes ownership of `pkey` (freed here on failure).
    init(owning pkey: OpaquePointer) throws {
        guard EVP_PKEY_is_a(pkey, "RSA") == 1 else {
            EVP_PKEY_free(pkey)
            throw CryptoError(code: CryptoError.Code.notRSA, reason: "key is not an RSA key")
        }
        // A separate public-only key, so that holding `publicKey` never keeps private parts alive.
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pkey, &buffer)
        guard length > 0, let buffer else {
            EVP_PKEY_free(pkey)
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "i2d_PUBKEY failed")
        }
        let der = Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
        CRYPTO_free(buffer, #fileID, #line)
        do {
            self.publicKey = try RSAPublicKey(der: der)
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
        self.pkey = pkey
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The modulus size in bits.
    public var bitCount: Int { Int(EVP_PKEY_get_bits(pkey)) }

    /// An RSASSA-PKCS1-v1_5 signature of `message` with `digest`.
    public func signature(for message: [UInt8], digest: Digest) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw CryptoError.openSSL(CryptoError.Code.signingFailed, "EVP_MD_CTX_new failed")
        }
        defer { EVP_MD_CTX_free(context) }
        var pkeyContext: OpaquePointer? = nil
        guard EVP_DigestSignInit(context, &pkeyContext, digest.evp, nil, pkey) == 1,
            EVP_PKEY_CTX_set_rsa_padding(pkeyContext, RSA_PKCS1_PADDING) == 1
        else { throw CryptoError.openSSL(CryptoError.Code.signingFailed, "EVP_DigestSignInit failed") }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw CryptoError.openSSL(CryptoError.Code.signingFailed, "EVP_DigestSign (size) failed")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw CryptoError.openSSL(CryptoError.Code.signingFailed, "EVP_DigestSign failed")
        }
        return Array(signature.prefix(length))
    }

    /// Unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). This is the secret key in the
    /// clear: store it sealed (see `EncryptionKeyring`), never log it.
    public var pemRepresentation: String {
        let written = MemoryBIO.writing(secure: true) { bio in
            PEM_write_bio_PrivateKey(bio, pkey, nil, nil, 0, nil, nil) == 1
        }
        guard var bytes = written else {
            preconditionFailure("PEM_write_bio_PrivateKey failed for a valid key: libcrypto is unusable")
        }
        defer { Zeroize.wipe(&bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
