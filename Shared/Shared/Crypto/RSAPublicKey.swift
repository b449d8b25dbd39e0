import COpenSSL

/// An RSA public key: verifies PayPal webhook signatures (PKCS#1 v1.5 with SHA-256, or SHA-1
/// for the legacy `SHA1withRSA` algorithm).
///
/// `@unchecked Sendable`: the `EVP_PKEY` is never modified after `init`, and OpenSSL 3 allows
/// concurrent use of a key for verification from many threads.
public final class RSAPublicKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The SubjectPublicKeyInfo DER, e.g. for pinning a PayPal key by hash.
    public let derRepresentation: [UInt8]

    /// Reads a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`). PKCS#1
    /// `RSA PUBLIC KEY` PEM is not accepted.
    public convenience init(pem: String) throws {
        let pkey = try MemoryBIO.reading(pem) { bio in
            guard let pkey = PEM_read_bio_PUBKEY(bio, nil, refusePassphrase, nil) else {
                throw CryptoError.openSSL(CryptoError.Code.invalidPEM, "not a PEM SubjectPublicKeyInfo")
            }
            return pkey
        }
        try self.init(owning: pkey)
    }

    /// Reads SubjectPublicKeyInfo DER.
    public convenience init(der: [UInt8]) throws {
        let pkey = try der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            guard let pkey = d2i_PUBKEY(nil, &cursor, buffer.count) else {
                throw CryptoError.openSSL(CryptoError.Code.invalidDER, "not a DER SubjectPublicKeyInfo")
            }
            guard cursor == buffer.baseAddress.map({ $0 + buffer.count }) else {
                EVP_PKEY_free(pkey)
                throw CryptoError(
                    code: CryptoError.Code.invalidDER, reason: "trailing bytes after SubjectPublicKeyInfo")
            }
            return pkey
        }
        try self.init(owning: pkey)
    }

    /// Takes ownership of `pkey` (freed here on failure): checks that it is RSA and serializes it.
    init(owning pkey: OpaquePointer) throws {
        guard EVP_PKEY_is_a(pkey, "RSA") == 1 else {
            EVP_PKEY_free(pkey)
            throw CryptoError(code: CryptoError.Code.notRSA, reason: "key is not an RSA key")
        }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pkey, &buffer)
        guard length > 0, let buffer else {
            EVP_PKEY_free(pkey)
            throw CryptoError.openSSL(CryptoError.Code.internalFailure, "i2d_PUBKEY failed")
        }
        defer { CRYPTO_free(buffer, #fileID, #line) }
        self.derRepresentation = Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
        self.pkey = pkey
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The modulus size in bits.
    public var bitCount: Int { Int(EVP_PKEY_get_bits(pkey)) }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    public var pemRepresentation: String { PEMArmor.encode(derRepresentation, label: "PUBLIC KEY") }

    /// True only for a valid RSASSA-PKCS1-v1_5 signature of `message` with `digest`. Any failure,
    /// including a malformed signature, is simply false.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], digest: Digest) -> Bool {
        guard !signature.isEmpty, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        var pkeyContext: OpaquePointer? = nil
        guard EVP_DigestVerifyInit(context, &pkeyContext, digest.evp, nil, pkey) == 1,
            EVP_PKEY_CTX_set_rsa_padding(pkeyContext, RSA_PKCS1_PADDING) == 1
        else {
            OpenSSLErrorQueue.clear()
            return false
        }
        let result = EVP_DigestVerify(context, signature, signature.count, message, message.count)
        if result != 1 { OpenSSLErrorQueue.clear() }
        return result == 1
    }
}
