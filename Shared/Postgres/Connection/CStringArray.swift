/// Strings laid out NUL-terminated in one buffer, handed to libpq as `const char * const *`: one
/// allocation per statement instead of one per bind.
enum CStringArray {
    /// Calls `body` with one pointer per string (nil for nil). Throws when a string contains a NUL
    /// byte: libpq would silently cut the value there.
    static func with<R>(
        _ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R
    ) throws -> R {
        var buffer: [UInt8] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(strings.count)
        for string in strings {
            guard let string else {
                offsets.append(nil)
                continue
            }
            offsets.append(buffer.count)
            let start = buffer.count
            buffer.append(contentsOf: string.utf8)
            if buffer[start...].contains(0) { throw nulByteError }
            buffer.append(0)
        }
        return try buffer.withUnsafeBufferPointer { raw in
            try raw.withMemoryRebound(to: CChar.self) { chars in
                let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                    guard let offset, let base = chars.baseAddress else { return nil }
                    return base + offset
                }
                return try body(pointers)
            }
        }
    }

    /// One string as a C string, refusing embedded NUL bytes.
    static func with<R>(_ string: String, _ body: (UnsafePointer<CChar>) throws -> R) throws -> R {
        if string.utf8.contains(0) { throw nulByteError }
        return try string.withCString(body)
    }

    /// 22021 (character_not_in_repertoire) is what the server itself reports for a NUL in text.
    static let nulByteError = PostgresError(
        kind: .query, sqlState: "22021", serverMessage: "a statement or bind value contains a NUL byte")
}
