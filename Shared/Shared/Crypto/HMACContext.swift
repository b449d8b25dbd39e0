import COpenSSL

/// Incremental HMAC, for signed content assembled from parts: Stripe's `"<t>.<body>"` or
/// Standard Webhooks' `"<id>.<t>.<body>"` without copying a large body into a new buffer.
///
/// ```swift
/// var mac = HMACContext(digest: .sha256, key: secret.utf8)
/// mac.update(timestamp)
/// mac.update(".")
/// mac.update(body)
/// let expected = mac.finalize()
/// ```
///
/// Non-copyable so the underlying `EVP_MAC_CTX` has exactly one owner; `finalize()` consumes the
/// value, so a finished context cannot be updated again. `@unchecked Sendable`: a non-copyable
/// value is moved, never shared, between tasks, and every mutation needs exclusive (`mutating`)
/// access.
public struct HMACContext: ~Copyable, @unchecked Sendable {
    private let context: OpaquePointer
    /// The digest this MAC uses.
    public let digest: Digest

    public init<K: Collection<UInt8>>(digest: Digest, key: K) {
        self.digest = digest
        self.context = key.withContiguousBytes { HMACTemplate.forDigest(digest).makeContext(key: $0) }
    }

    /// A context keyed with the UTF-8 bytes of `key`.
    public init(digest: Digest, key: String) {
        self.init(digest: digest, key: key.utf8)
    }

    deinit { EVP_MAC_CTX_free(context) }

    public mutating func update<B: Collection<UInt8>>(_ bytes: B) {
        bytes.withContiguousBytes { Self.update(context, $0) }
    }

    /// Feeds the UTF-8 bytes of `text`.
    public mutating func update(_ text: String) {
        update(text.utf8)
    }

    /// The MAC of everything fed so far.
    public consuming func finalize() -> [UInt8] {
        Self.final(context, digest: digest)
    }

    static func update(_ context: OpaquePointer, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let ok = EVP_MAC_update(context, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        precondition(ok == 1, "EVP_MAC_update failed: libcrypto is unusable")
    }

    static func final(_ context: OpaquePointer, digest: Digest) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: digest.byteCount) { buffer, initialized in
            var written = 0
            let ok = EVP_MAC_final(context, buffer.baseAddress, &written, buffer.count)
            precondition(ok == 1 && written == digest.byteCount, "EVP_MAC_final failed: libcrypto is unusable")
            initialized = written
        }
    }
}
