/// The base64 engine behind `Base64` and `Base64URL` (RFC 4648 §4 and §5). Encoding and the
/// decoding of valid characters run in constant time (see `ConstantTimeASCII`); decoding is strict:
/// no whitespace, no characters from the other alphabet, padding only where it belongs, and the
/// unused bits of the last character must be zero, so every byte string has exactly one encoding.
struct Base64Codec: Sendable {
    let char62: Int32
    let char63: Int32

    static let standard = Base64Codec(char62: 43, char63: 47)  // '+', '/'
    static let url = Base64Codec(char62: 45, char63: 95)  // '-', '_'

    enum Padding {
        case required, optional, forbidden
    }

    func encode(_ input: UnsafeRawBufferPointer, pad: Bool) -> String {
        let count = input.count
        let fullGroups = count / 3
        let remainder = count % 3
        let outputCount = fullGroups * 4 + (remainder == 0 ? 0 : (pad ? 4 : remainder + 1))
        guard outputCount > 0 else { return "" }
        return String(unsafeUninitializedCapacity: outputCount) { output in
            var o = 0
            var i = 0
            func put(_ sextet: UInt32) {
                output[o] = ConstantTimeASCII.base64Digit(Int32(sextet & 0x3F), char62: char62, char63: char63)
                o += 1
            }
            for _ in 0..<fullGroups {
                let word = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                put(word >> 18)
                put(word >> 12)
                put(word >> 6)
                put(word)
                i += 3
            }
            if remainder == 1 {
                let word = UInt32(input[i]) << 16
                put(word >> 18)
                put(word >> 12)
                if pad {
                    output[o] = UInt8(ascii: "=")
                    output[o + 1] = UInt8(ascii: "=")
                    o += 2
                }
            } else if remainder == 2 {
                let word = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                put(word >> 18)
                put(word >> 12)
                put(word >> 6)
                if pad {
                    output[o] = UInt8(ascii: "=")
                    o += 1
                }
            }
            return o
        }
    }

    func decode(_ text: String, padding: Padding) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0), padding: padding) }
    }

    func decode(_ input: UnsafeRawBufferPointer, padding: Padding) -> [UInt8]? {
        var length = input.count
        var padCount = 0
        while padCount < 2, length > 0, input[length - 1] == UInt8(ascii: "=") {
            length -= 1
            padCount += 1
        }
        let tail = length % 4
        // A lone trailing character carries only 6 bits, less than a byte.
        guard tail != 1 else { return nil }
        let expectedPad = (4 - tail) % 4
        switch padding {
        case .required: guard padCount == expectedPad else { return nil }
        case .optional: guard padCount == 0 || padCount == expectedPad else { return nil }
        case .forbidden: guard padCount == 0 else { return nil }
        }
        let outputCount = length / 4 * 3 + (tail == 0 ? 0 : tail - 1)
        var invalid: Int32 = 0
        var output = [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
            var i = 0
            var o = 0
            func sextet(_ index: Int) -> UInt32 {
                let (value, valid) = ConstantTimeASCII.base64Value(input[index], char62: char62, char63: char63)
                invalid |= ~valid
                return UInt32(bitPattern: value)
            }
            while i + 4 <= length {
                let word = sextet(i) << 18 | sextet(i + 1) << 12 | sextet(i + 2) << 6 | sextet(i + 3)
                out[o] = UInt8(truncatingIfNeeded: word >> 16)
                out[o + 1] = UInt8(truncatingIfNeeded: word >> 8)
                out[o + 2] = UInt8(truncatingIfNeeded: word)
                i += 4
                o += 3
            }
            if tail == 2 {
                let word = sextet(i) << 18 | sextet(i + 1) << 12
                out[o] = UInt8(truncatingIfNeeded: word >> 16)
                // The last character's low 4 bits are unused and must be zero.
                invalid |= Int32(bitPattern: word & 0xFFFF)
                o += 1
            } else if tail == 3 {
                let word = sextet(i) << 18 | sextet(i + 1) << 12 | sextet(i + 2) << 6
                out[o] = UInt8(truncatingIfNeeded: word >> 16)
                out[o + 1] = UInt8(truncatingIfNeeded: word >> 8)
                invalid |= Int32(bitPattern: word & 0xFF)
                o += 2
            }
            initialized = o
        }
        guard invalid == 0 else {
            // The rejected text may have been a secret; do not leave its decoding lying around.
            Zeroize.wipe(&output)
            return nil
        }
        return output
    }
}
