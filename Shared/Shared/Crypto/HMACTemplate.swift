import COpenSSL

/// A keyless `EVP_MAC_CTX` for HMAC with one digest, made once and duplicated for every MAC.
///
/// Fetching "HMAC" and the digest by name on each call costs about as much as the MAC of a small
/// webhook body; `EVP_MAC_CTX_dup` of a prepared context skips that (≈20% faster for 1 KiB).
///
/// `@unchecked Sendable`: the context is configured in `init` and afterwards only read, by
/// `EVP_MAC_CTX_dup`, which does not modify its source and is safe to call from many threads.
final class HMACTemplate: @unchecked Sendable {
    private let context: OpaquePointer

    static let sha1 = HMACTemplate(digestName: "SHA1")
    static let sha256 = HMACTemplate(digestName: "SHA256")
    static let sha512 = HMACTemplate(digestName: "SHA512")

    static func forDigest(_ digest: Digest) -> HMACTemplate {
        switch digest {
        case .sha1: sha1
        case .sha256: sha256
        case .sha512: sha512
        }
    }

    private init(digestName: String) {
        // A libcrypto without HMAC or SHA-2 cannot verify any webhook; there is no useful fallback.
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            preconditionFailure("EVP_MAC_fetch(HMAC) failed: libcrypto is unusable")
        }
        defer { EVP_MAC_free(mac) }  // the context holds its own reference
        guard let context = EVP_MAC_CTX_new(mac) else { preconditionFailure("EVP_MAC_CTX_new failed") }
        let configured = digestName.withCString { name in
            "digest".withCString { key in
                var params = [
                    OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: name), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_CTX_set_params(context, &params) == 1
            }
        }
        precondition(configured, "EVP_MAC_CTX_set_params(digest) failed: libcrypto is unusable")
        self.context = context
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// A fresh context keyed with `key`; the caller frees it with `EVP_MAC_CTX_free`.
    func makeContext(key: UnsafeRawBufferPointer) -> OpaquePointer {
        guard let copy = EVP_MAC_CTX_dup(context) else { preconditionFailure("EVP_MAC_CTX_dup failed: out of memory") }
        // A NULL key means "keep the current key" to EVP_MAC_init, so an empty key (legal in
        // HMAC) must still be passed as a valid address.
        var empty: UInt8 = 0
        let ok = withUnsafePointer(to: &empty) { emptyAddress in
            let address = key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyAddress
            return EVP_MAC_init(copy, address, key.count, nil) == 1
        }
        precondition(ok, "EVP_MAC_init failed: libcrypto is unusable")
        return copy
    }
}
