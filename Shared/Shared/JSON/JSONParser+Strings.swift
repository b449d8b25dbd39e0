/// String bodies: a fast path for runs without escapes, a slow path that decodes escapes into a
/// buffer, UTF-8 validation of the result either way.
extension JSONParser {
    /// Reads a string body; the index starts after the opening quote and ends after the closing one.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        var highBits: UInt8 = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                let body = UnsafeBufferPointer(rebasing: input[start..<index])
                index += 1
                // Plain ASCII needs no validation; anything else must be valid UTF-8 (no overlongs, no surrogates).
                if highBits < 0x80 { return String(decoding: body, as: UTF8.self) }
                guard let string = String(validating: body, as: UTF8.self) else { throw .invalidUTF8(at: start) }
                return string
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            guard byte >= 0x20 else { throw .invalid("Control characters must be escaped in strings.", at: index) }
            highBits |= byte
            index += 1
        }
        throw .invalid("The document ends inside a string.", at: index)
    }

    /// The slow path for strings with escapes: decodes into a byte buffer, then validates it.
    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(index - start + 16)
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
        while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(at: start) }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < input.count else { break }
                let escape = input[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escape)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"): appendUTF8(try parseUnicodeEscape(), to: &bytes)
                default: throw .invalid("Unknown escape sequence.", at: index - 2)
                }
            case ..<0x20:
                throw .invalid("Control characters must be escaped in strings.", at: index)
            default:
                bytes.append(byte)
                index += 1
            }
        }
        throw .invalid("The document ends inside a string.", at: index)
    }

    /// Reads the hex digits after `\u`, joining a surrogate pair; a lone surrogate is an error
    /// because it has no UTF-8 form.
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let escapeStart = index - 2
        let first = try readHex4()
        switch first {
        case 0xD800...0xDBFF:
            guard input.count - index >= 2, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u")
            else {
                throw .invalid("A high surrogate escape is not followed by a low one.", at: escapeStart)
            }
            index += 2
            let second = try readHex4()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw .invalid("A high surrogate escape is not followed by a low one.", at: escapeStart)
            }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else {
                throw .invalid("Invalid surrogate pair.", at: escapeStart)
            }
            return scalar
        case 0xDC00...0xDFFF:
            throw .invalid("A low surrogate escape has no high surrogate before it.", at: escapeStart)
        default:
            guard let scalar = Unicode.Scalar(first) else { throw .invalid("Invalid unicode escape.", at: escapeStart) }
            return scalar
        }
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard input.count - index >= 4 else { throw .invalid("Expected four hex digits.", at: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = input[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalid("Expected four hex digits.", at: index)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        UTF8.encode(scalar) { bytes.append($0) }
    }
}
