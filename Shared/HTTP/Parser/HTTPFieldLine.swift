/// One `field-name ":" OWS field-value OWS` line (RFC 9112 §5), validated strictly.
enum HTTPFieldLine {
    /// Validates `bytes[line]` (without CRLF, not empty) and returns the name and the value with
    /// surrounding SP/HTAB trimmed.
    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ line: Range<Int>
    ) throws(HTTPParseError) -> (name: Range<Int>, value: Range<Int>) {
        let end = line.upperBound
        var index = line.lowerBound
        // A leading space would continue the previous field (obs-fold), which RFC 9112 §5.2 lets a
        // server reject; accepting it is a known header-injection vector.
        if HTTPSyntax.isWhitespace(bytes[index]) { throw .obsoleteLineFolding }

        while index < end, HTTPSyntax.isTokenChar(bytes[index]) { index &+= 1 }
        // Whitespace before the colon is rejected too (RFC 9112 §5.1): proxies disagree on it.
        guard index > line.lowerBound, index < end, bytes[index] == HTTPSyntax.colon else {
            throw index < end && bytes[index] == HTTPSyntax.cr ? .bareCarriageReturn : .invalidHeaderName
        }
        let name = line.lowerBound..<index

        index &+= 1
        while index < end, HTTPSyntax.isWhitespace(bytes[index]) { index &+= 1 }
        let valueStart = index
        var valueEnd = index
        while index < end {
            let byte = bytes[index]
            guard HTTPSyntax.isFieldByte(byte) else {
                throw byte == HTTPSyntax.cr ? .bareCarriageReturn : .invalidHeaderValue
            }
            index &+= 1
            if !HTTPSyntax.isWhitespace(byte) { valueEnd = index }
        }
        return (name, valueStart..<valueEnd)
    }
}
