/// Byte classes and small scanners from RFC 9110/9112 grammar, shared by every parser piece.
///
/// Classes are bit masks rather than lookup tables: no lazily initialised globals in hot loops.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B

    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
    /// / DIGIT / ALPHA. Bit n of the low mask is byte n, of the high mask byte 64 + n.
    private static let tokenMaskLow: UInt64 = 0x03ff_6cfa_0000_0000
    private static let tokenMaskHigh: UInt64 = 0x57ff_ffff_c7ff_fffe

    @inline(__always)
    static func isTokenChar(_ byte: UInt8) -> Bool {
        if byte < 64 { return tokenMaskLow & (1 << UInt64(byte)) != 0 }
        if byte < 128 { return tokenMaskHigh & (1 << UInt64(byte - 64)) != 0 }
        return false
    }

    /// VCHAR, 0x21–0x7E.
    @inline(__always)
    static func isVisible(_ byte: UInt8) -> Bool { byte &- 0x21 < 0x5E }

    /// Field-value and reason-phrase bytes: HTAB, SP, VCHAR and obs-text (0x80–0xFF).
    @inline(__always)
    static func isFieldByte(_ byte: UInt8) -> Bool { (byte >= 0x20 && byte != 0x7F) || byte == tab }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// Index of the first LF in `bytes[from...]`, or nil.
    @inline(__always)
    static func firstLineFeed(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var index = from
        while index < bytes.count {
            if bytes[index] == lf { return index }
            index &+= 1
        }
        return nil
    }

    /// Whether `bytes[range]` equals `lowercaseLiteral` ignoring ASCII case.
    @inline(__always)
    static func equalsIgnoringCase(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
        _ lowercaseLiteral: StaticString
    ) -> Bool {
        guard range.count == lowercaseLiteral.utf8CodeUnitCount else { return false }
        let literal = lowercaseLiteral.utf8Start
        var offset = 0
        for index in range {
            if lowercased(bytes[index]) != literal[offset] { return false }
            offset &+= 1
        }
        return true
    }

    /// Whether `bytes[range]` equals `literal` exactly (methods are case-sensitive).
    @inline(__always)
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let start = literal.utf8Start
        var offset = 0
        for index in range {
            if bytes[index] != start[offset] { return false }
            offset &+= 1
        }
        return true
    }

    /// Whether `bytes[range]` contains a CR, to report a stray CR as such rather than as bad syntax.
    static func containsCarriageReturn(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for index in range where bytes[index] == cr { return true }
        return false
    }

    /// `HTTP/<digit>.<digit>` at `bytes[range]`, or nil if the range is not exactly that.
    static func version(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> HTTPVersion? {
        guard range.count == 8 else { return nil }
        let start = range.lowerBound
        guard bytes[start] == UInt8(ascii: "H"), bytes[start + 1] == UInt8(ascii: "T"),
            bytes[start + 2] == UInt8(ascii: "T"), bytes[start + 3] == UInt8(ascii: "P"),
            bytes[start + 4] == UInt8(ascii: "/"), isDigit(bytes[start + 5]),
            bytes[start + 6] == UInt8(ascii: "."), isDigit(bytes[start + 7])
        else { return nil }
        return HTTPVersion(major: Int(bytes[start + 5] - 0x30), minor: Int(bytes[start + 7] - 0x30))
    }

    /// Decodes bytes already validated as field bytes; obs-text becomes U+FFFD where not UTF-8.
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
