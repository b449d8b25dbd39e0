/// `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1). Extensions are validated loosely and ignored.
enum HTTPChunkSizeLine {
    /// Bound on the whole line, so extensions cannot make us buffer without limit.
    static var maxBytes: Int { 4096 }

    /// The chunk size in `bytes[line]` (without CRLF).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError) -> Int {
        var index = line.lowerBound
        var size = 0
        while index < line.upperBound, let digit = HTTPSyntax.hexValue(bytes[index]) {
            // Overflow is an error, never a wrap-around: a wrapped size is a smuggling primitive.
            guard size <= (Int.max - digit) / 16 else { throw .invalidChunkSize }
            size = size * 16 + digit
            index &+= 1
        }
        guard index > line.lowerBound else { throw failure(bytes, line) }
        guard index < line.upperBound else { return size }

        // Only BWS ";" may follow the size; whatever follows the ";" must be field-value bytes.
        while index < line.upperBound, HTTPSyntax.isWhitespace(bytes[index]) { index &+= 1 }
        guard index < line.upperBound, bytes[index] == HTTPSyntax.semicolon else { throw failure(bytes, line) }
        for position in index..<line.upperBound where !HTTPSyntax.isFieldByte(bytes[position]) {
            throw failure(bytes, line)
        }
        return size
    }

    private static func failure(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> HTTPParseError {
        HTTPSyntax.containsCarriageReturn(bytes, line) ? .bareCarriageReturn : .invalidChunkSize
    }
}
