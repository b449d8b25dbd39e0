import COpenSSL

/// Memory BIOs for handing PEM text to libcrypto and collecting its output.
enum MemoryBIO {
    /// Runs `body` with a read-only BIO over the UTF-8 of `text`, freed afterwards.
    static func reading<R>(_ text: String, _ body: (OpaquePointer) throws -> R) throws -> R {
        var text = text
        return try text.withUTF8 { bytes in
            guard bytes.count <= Int(Int32.max),
                let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count))
            else { throw CryptoError.openSSL(CryptoError.Code.internalFailure, "BIO_new_mem_buf failed") }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `write` against a fresh memory BIO and returns what it wrote, or nil if it failed.
    /// `secure` uses `BIO_s_secmem`, whose buffer is cleansed when freed (private keys).
    static func writing(secure: Bool = false, _ write: (OpaquePointer) -> Bool) -> [UInt8]? {
        guard let bio = BIO_new(secure ? BIO_s_secmem() : BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard write(bio) else { return nil }
        let pending = Int(BIO_ctrl_pending(bio))
        guard pending > 0, pending <= Int(Int32.max) else { return pending == 0 ? [] : nil }
        var output = [UInt8](repeating: 0, count: pending)
        let read = BIO_read(bio, &output, Int32(pending))
        guard read == Int32(pending) else { return nil }
        return output
    }

}

/// A PEM password callback that refuses to supply one. Without it libcrypto's default callback
/// would prompt on the terminal for an encrypted key and block the service. (A global function:
/// Swift forms C function pointers only from those or literal closures.)
func refusePassphrase(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ writing: Int32, _ userData: UnsafeMutableRawPointer?
) -> Int32 { 0 }

/// PEM armor (RFC 7468) around DER, built here so properties like `pemRepresentation` cannot fail.
enum PEMArmor {
    static func encode(_ der: [UInt8], label: String) -> String {
        let base64 = Array(Base64.encode(der).utf8)
        var text = "-----BEGIN \(label)-----\n"
        var start = 0
        while start < base64.count {
            let end = min(start + 64, base64.count)
            text += String(decoding: base64[start..<end], as: UTF8.self) + "\n"
            start = end
        }
        return text + "-----END \(label)-----\n"
    }
}
