import COpenSSL

/// Cryptographically secure random bytes from libcrypto's DRBG (`RAND_bytes`).
///
/// A failing DRBG is not an input error: continuing would mint predictable nonces, keys and
/// tokens, so it stops the process instead of returning weak bytes.
public enum SecureRandom: Sendable {
    /// `count` random bytes (`count` ≥ 0).
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes: negative count")
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// A uniformly random 64-bit integer.
    public static func uint64() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }

    /// `byteCount` random bytes as unpadded base64url: URL-, header- and filename-safe.
    /// The default 24 bytes (192 bits) give a 32-character token.
    public static func token(byteCount: Int = 24) -> String {
        Base64URL.encode(bytes(byteCount))
    }

    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard var address = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var remaining = buffer.count
        while remaining > 0 {
            // RAND_bytes takes an Int32 length.
            let chunk = min(remaining, 1 << 30)
            let ok = RAND_bytes(address, Int32(chunk))
            precondition(ok == 1, "RAND_bytes failed: the random generator is unusable")
            address += chunk
            remaining -= chunk
        }
    }
}
