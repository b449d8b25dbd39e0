import COpenSSL

/// Overwrites secret bytes before their buffer is released. `OPENSSL_cleanse` is used because a
/// plain loop of stores to memory about to be freed may be removed by the optimizer.
///
/// Best effort only: Swift arrays may have been copied (copy-on-write, resizing) before this
/// runs, so it narrows rather than closes the window in which a secret sits in freed memory.
enum Zeroize {
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
        }
    }
}
