import COpenSSL

/// A hash function from libcrypto.
public enum Digest: Sendable, CaseIterable {
    case sha1, sha256, sha512

    /// Output size in bytes.
    public var byteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    var evp: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha512: EVP_sha512()
        }
    }

    /// The digest of `bytes`.
    public func hash<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        let ok = bytes.withContiguousBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, nil, evp, nil) == 1
            }
        }
        precondition(ok, "EVP_Digest failed: libcrypto is unusable")
        return out
    }
}

/// SHA-256 of bytes or of a string's UTF-8.
public enum SHA256: Sendable {
    public static func hash<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] { Digest.sha256.hash(bytes) }
    public static func hash(_ text: String) -> [UInt8] { Digest.sha256.hash(Array(text.utf8)) }
}

/// SHA-512 of bytes or of a string's UTF-8.
public enum SHA512: Sendable {
    public static func hash<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] { Digest.sha512.hash(bytes) }
    public static func hash(_ text: String) -> [UInt8] { Digest.sha512.hash(Array(text.utf8)) }
}

extension Collection<UInt8> {
    /// Runs `body` over contiguous bytes, copying only when the collection is not contiguous.
    @inlinable
    func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return try Array(self).withUnsafeBytes(body)
    }
}
