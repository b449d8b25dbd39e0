/// CRC-32 with the IEEE 802.3 / zlib polynomial (reflected 0xEDB88320, initial and final XOR
/// 0xFFFFFFFF). PayPal signs the unsigned decimal of this over the raw webhook body. Not a MAC:
/// it only binds the body into a message that is signed with RSA.
///
/// Slice-by-8: eight tables let the loop fold eight bytes per step instead of one, which matters
/// for large bodies and costs 8 KiB of tables built once.
public enum CRC32: Sendable {
    public static func checksum<B: Collection<UInt8>>(_ bytes: B) -> UInt32 {
        bytes.withContiguousBytes { update(0, $0) }
    }

    /// Continues `crc` (a previous result, or 0 to start) over more bytes.
    static func update(_ crc: UInt32, _ input: UnsafeRawBufferPointer) -> UInt32 {
        tables.withUnsafeBufferPointer { t in
            var crc = ~crc
            var index = 0
            let count = input.count
            while index + 8 <= count {
                let low =
                    crc
                    ^ (UInt32(input[index]) | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2]) << 16
                        | UInt32(input[index + 3]) << 24)
                let high =
                    UInt32(input[index + 4]) | UInt32(input[index + 5]) << 8 | UInt32(input[index + 6]) << 16
                    | UInt32(input[index + 7]) << 24
                crc =
                    t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
                index += 8
            }
            while index < count {
                crc = t[Int((crc ^ UInt32(input[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
            return ~crc
        }
    }

    /// `tables[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = tables[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return tables
    }()
}
