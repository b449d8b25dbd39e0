import COpenSSL

/// HMAC (RFC 2104) over libcrypto: Stripe, Razorpay, Paystack and Standard Webhooks signatures,
/// and what Coffer signs itself. Compare results with `ConstantTime.equals`, never `==`.
///
/// Not throwing: HMAC accepts any key and message, so the only failures are an exhausted heap
/// or a broken libcrypto, which stop the process.
public enum HMAC: Sendable {
    /// The MAC of `message` under `key` (any length, including empty).
    public static func authenticationCode<K: Collection<UInt8>, M: Collection<UInt8>>(
        _ digest: Digest, key: K, message: M
    ) -> [UInt8] {
        key.withContiguousBytes { keyBytes in
            message.withContiguousBytes { messageBytes in
                let context = HMACTemplate.forDigest(digest).makeContext(key: keyBytes)
                defer { EVP_MAC_CTX_free(context) }
                HMACContext.update(context, messageBytes)
                return HMACContext.final(context, digest: digest)
            }
        }
    }

    /// HMAC-SHA256 over bytes.
    public static func sha256<K: Collection<UInt8>, M: Collection<UInt8>>(key: K, message: M) -> [UInt8] {
        authenticationCode(.sha256, key: key, message: message)
    }

    /// HMAC-SHA256 with a UTF-8 key over a UTF-8 message (Stripe: the key is the whole `whsec_…`).
    public static func sha256(key: String, message: String) -> [UInt8] {
        authenticationCode(.sha256, key: key.utf8, message: message.utf8)
    }

    /// HMAC-SHA256 with a binary key over a UTF-8 message (Standard Webhooks: decoded secret).
    public static func sha256<K: Collection<UInt8>>(key: K, message: String) -> [UInt8] {
        authenticationCode(.sha256, key: key, message: message.utf8)
    }

    /// HMAC-SHA256 with a UTF-8 key over bytes (Stripe's secret over a raw body).
    public static func sha256<M: Collection<UInt8>>(key: String, message: M) -> [UInt8] {
        authenticationCode(.sha256, key: key.utf8, message: message)
    }

    /// HMAC-SHA512 over bytes.
    public static func sha512<K: Collection<UInt8>, M: Collection<UInt8>>(key: K, message: M) -> [UInt8] {
        authenticationCode(.sha512, key: key, message: message)
    }

    /// HMAC-SHA512 with a UTF-8 key over a UTF-8 message (Paystack).
    public static func sha512(key: String, message: String) -> [UInt8] {
        authenticationCode(.sha512, key: key.utf8, message: message.utf8)
    }

    /// HMAC-SHA512 with a binary key over a UTF-8 message.
    public static func sha512<K: Collection<UInt8>>(key: K, message: String) -> [UInt8] {
        authenticationCode(.sha512, key: key, message: message.utf8)
    }

    /// HMAC-SHA512 with a UTF-8 key over bytes (Paystack's secret key over a raw body).
    public static func sha512<M: Collection<UInt8>>(key: String, message: M) -> [UInt8] {
        authenticationCode(.sha512, key: key.utf8, message: message)
    }
}
