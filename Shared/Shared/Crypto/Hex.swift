/// Lower-case hexadecimal encoding; decoding accepts either case.
///
/// Both directions avoid table lookups and branches on the data (see `ConstantTimeASCII`): hex
/// carries MACs that are compared against attacker-supplied values, and master keys.
public enum Hex: Sendable {
    public static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        bytes.withContiguousBytes { input in
            guard !input.isEmpty else { return "" }
            return String(unsafeUninitializedCapacity: input.count * 2) { output in
                for (index, byte) in input.enumerated() {
                    output[2 * index] = ConstantTimeASCII.hexDigit(byte >> 4)
                    output[2 * index + 1] = ConstantTimeASCII.hexDigit(byte & 0x0F)
                }
                return input.count * 2
            }
        }
    }

    /// Nil when the text has odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { input -> [UInt8]? in
            guard input.count % 2 == 0 else { return nil }
            var invalid: Int32 = 0
            var output = [UInt8](unsafeUninitializedCapacity: input.count / 2) { out, initialized in
                for index in 0..<(input.count / 2) {
                    let high = ConstantTimeASCII.hexValue(input[2 * index])
                    let low = ConstantTimeASCII.hexValue(input[2 * index + 1])
                    invalid |= ~high.valid | ~low.valid
                    out[index] = UInt8(truncatingIfNeeded: high.value << 4 | low.value)
                }
                initialized = input.count / 2
            }
            guard invalid == 0 else {
                Zeroize.wipe(&output)
                return nil
            }
            return output
        }
    }
}
