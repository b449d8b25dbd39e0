import COpenSSL

/// Comparisons whose running time does not depend on where two secrets differ, so a webhook
/// sender probing signatures cannot learn the expected MAC byte by byte.
public enum ConstantTime: Sendable {
    /// True when `a` and `b` hold the same bytes. Lengths are compared first and are not secret
    /// (a MAC's length is public), so different lengths return false at once; equal lengths are
    /// compared with `CRYPTO_memcmp`, which always reads every byte.
    public static func equals<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withContiguousBytes { left in
            b.withContiguousBytes { right in
                guard let l = left.baseAddress, let r = right.baseAddress else { return false }
                return CRYPTO_memcmp(l, r, left.count) == 0
            }
        }
    }

    /// Compares two strings' UTF-8 bytes in constant time (e.g. a hex signature from a header
    /// against the expected one).
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(a.utf8, b.utf8)
    }
}
