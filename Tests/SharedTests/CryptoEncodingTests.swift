import XCTest

@testable import Shared

/// Base64, base64url, hex, CRC-32, constant-time comparison and the random source.
final class CryptoEncodingTests: XCTestCase {
    // MARK: Base64

    func testBase64RFC4648Vectors() {
        let vectors = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8))
            XCTAssertEqual(Base64.decode(encoded, requirePadding: true), Array(plain.utf8))
            let unpadded = String(encoded.prefix { $0 != "=" })
            XCTAssertEqual(Base64.decode(unpadded), Array(plain.utf8), "padding is optional by default")
            XCTAssertEqual(Base64URL.encode(Array(plain.utf8)), unpadded)
            XCTAssertEqual(Base64URL.decode(unpadded), Array(plain.utf8))
            XCTAssertEqual(Base64URL.decode(encoded), Array(plain.utf8), "base64url accepts exact padding")
        }
    }

    func testAlphabetsDiffer() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf]
        XCTAssertEqual(Base64.encode(bytes), "+/+/")
        XCTAssertEqual(Base64URL.encode(bytes), "-_-_")
        XCTAssertNil(Base64.decode("-_-_"))
        XCTAssertNil(Base64URL.decode("+/+/"))
    }

    func testAllByteValuesRoundTrip() {
        let bytes = (0...255).map { UInt8($0) }
        XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes)
        XCTAssertEqual(Base64URL.decode(Base64URL.encode(bytes)), bytes)
        XCTAssertEqual(Hex.decode(Hex.encode(bytes)), bytes)
        XCTAssertEqual(Hex.encode(bytes[0xf0...]), "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
        XCTAssertEqual(Hex.encode(bytes[..<16]), "000102030405060708090a0b0c0d0e0f")
        XCTAssertEqual(Base64.encode(bytes).count, 344)
    }

    func testRandomRoundTrips() {
        for length in Array(0...70) + [255, 256, 1000, 4096] {
            let bytes = SecureRandom.bytes(length)
            XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes, "length \(length)")
            XCTAssertEqual(Base64.decode(Base64.encode(bytes), requirePadding: true), bytes)
            XCTAssertEqual(Base64URL.decode(Base64URL.encode(bytes)), bytes, "length \(length)")
            XCTAssertEqual(Hex.decode(Hex.encode(bytes)), bytes, "length \(length)")
            XCTAssertEqual(Hex.decode(Hex.encode(bytes).uppercased()), bytes, "hex decoding ignores case")
        }
    }

    func testEncodersMatchFoundation() {
        for length in 0...40 {
            let bytes = SecureRandom.bytes(length)
            XCTAssertEqual(Base64.encode(bytes), Data(bytes).base64EncodedString())
        }
    }

    func testBase64RejectsInvalidCharacters() {
        for text in [
            "Zm9v YmFy", "Zm9v\nYmFy", "Zm9v\u{0}mFy", "Zm9v*mFy", "Zm9vYmF€", "Zm9v.mFy", "Zm9v-mFy", "Zm9v_mFy",
        ] {
            XCTAssertNil(Base64.decode(text), text.debugDescription)
        }
        for text in ["Zm9v YmFy", "Zm9v+mFy", "Zm9v/mFy", "Zm9v=mFy"] {
            XCTAssertNil(Base64URL.decode(text), text.debugDescription)
        }
    }

    func testBase64RejectsBadPadding() {
        let invalid = [
            "Zg=", "Zg===", "Zm8==", "Zm9v=", "Zm9v====", "=", "==", "Z", "Zm9vY", "Zm9vY===", "Zg==Zg==", "=Zg=",
            "Z===",
        ]
        for text in invalid {
            XCTAssertNil(Base64.decode(text), text)
            XCTAssertNil(Base64URL.decode(text), text)
        }
        XCTAssertNil(Base64.decode("Zg", requirePadding: true))
        XCTAssertNil(Base64.decode("Zm8", requirePadding: true))
        XCTAssertEqual(Base64.decode("", requirePadding: true), [])
    }

    func testBase64RejectsNonCanonicalTrailingBits() {
        // "Zh==" and "Zm9=" decode to the same bytes as "Zg==" and "Zm8=" in lenient decoders.
        XCTAssertNil(Base64.decode("Zh=="))
        XCTAssertNil(Base64.decode("Zm9="))
        XCTAssertNil(Base64URL.decode("Zh"))
        XCTAssertEqual(Base64.decode("Zg=="), [0x66])
    }

    // MARK: Hex

    func testHexRejectsInvalidInput() {
        XCTAssertNil(Hex.decode("abc"), "odd length")
        XCTAssertNil(Hex.decode("0g"))
        XCTAssertNil(Hex.decode("0x00"))
        XCTAssertNil(Hex.decode(" 00"))
        XCTAssertNil(Hex.decode("é0"))
        XCTAssertNil(Hex.decode("/0"))
        XCTAssertNil(Hex.decode(":0"))
        XCTAssertNil(Hex.decode("@0"))
        XCTAssertNil(Hex.decode("G0"))
        XCTAssertNil(Hex.decode("`0"))
        XCTAssertEqual(Hex.decode(""), [])
        XCTAssertEqual(Hex.decode("DeadBEEF"), [0xde, 0xad, 0xbe, 0xef])
    }

    func testHexDigitBoundaries() {
        // Every byte value as a character: exactly 0-9, a-f and A-F are digits.
        for value in 0...255 {
            let char = UInt8(value)
            let text = String(decoding: [char, UInt8(ascii: "0")], as: UTF8.self)
            let isDigit = (48...57).contains(value) || (97...102).contains(value) || (65...70).contains(value)
            XCTAssertEqual(Hex.decode(text) != nil, isDigit, "byte \(value)")
        }
    }

    func testBase64CharacterBoundaries() {
        // Every ASCII byte in the first position of an otherwise valid quartet.
        for value in 0...127 {
            let text = String(decoding: [UInt8(value)] + Array("AAA".utf8), as: UTF8.self)
            let standard = (65...90).contains(value) || (97...122).contains(value) || (48...57).contains(value)
            XCTAssertEqual(Base64.decode(text) != nil, standard || value == 43 || value == 47, "byte \(value)")
            XCTAssertEqual(Base64URL.decode(text) != nil, standard || value == 45 || value == 95, "byte \(value)")
        }
    }

    // MARK: CRC-32

    func testCRC32() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
        XCTAssertEqual(CRC32.checksum([0x00]), 0xD202_EF8D)
    }

    func testCRC32SliceBy8MatchesBytewise() {
        // The 8-byte fast path must agree with the plain definition at every length and alignment.
        func reference(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return ~crc
        }
        let bytes = SecureRandom.bytes(300)
        for start in 0..<9 {
            for end in stride(from: start, through: bytes.count, by: 7) {
                XCTAssertEqual(CRC32.checksum(bytes[start..<end]), reference(bytes[start..<end]))
            }
        }
    }

    func testCRC32PayPalDecimal() {
        // PayPal signs the unsigned decimal, so a checksum with the top bit set must stay positive.
        XCTAssertEqual(String(CRC32.checksum(Array("123456789".utf8))), "3421780262")
    }

    // MARK: ConstantTime

    func testConstantTimeEquals() {
        XCTAssertTrue(ConstantTime.equals([UInt8](), [UInt8]()))
        XCTAssertTrue(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        XCTAssertFalse(ConstantTime.equals([0, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]), "different lengths")
        XCTAssertFalse(ConstantTime.equals([1, 2] as [UInt8], [1, 2, 3] as [UInt8]))
        XCTAssertFalse(ConstantTime.equals([UInt8](), [0] as [UInt8]))
        XCTAssertTrue(ConstantTime.equals("abc".utf8, [97, 98, 99] as [UInt8]), "mixed collection types")
        XCTAssertTrue(ConstantTime.equals([9, 1, 2, 3][1...], [1, 2, 3] as [UInt8]), "slices")
        XCTAssertTrue(ConstantTime.equals("f7f9bd", "f7f9bd"))
        XCTAssertFalse(ConstantTime.equals("f7f9bd", "F7F9BD"), "byte comparison, not case-insensitive")
    }

    // MARK: SecureRandom

    func testSecureRandom() {
        XCTAssertEqual(SecureRandom.bytes(0), [])
        XCTAssertEqual(SecureRandom.bytes(33).count, 33)
        XCTAssertNotEqual(SecureRandom.bytes(32), SecureRandom.bytes(32))
        XCTAssertNotEqual(SecureRandom.uint64(), SecureRandom.uint64())
        let token = SecureRandom.token()
        XCTAssertEqual(token.count, 32)
        XCTAssertEqual(Base64URL.decode(token)?.count, 24)
        XCTAssertFalse(token.contains("+") || token.contains("/") || token.contains("="))
        XCTAssertEqual(SecureRandom.token(byteCount: 16).count, 22)
        XCTAssertEqual(Set((0..<100).map { _ in SecureRandom.token() }).count, 100)
        // Every byte value appears in 64 KiB of output (a stuck or biased generator would not).
        XCTAssertEqual(Set(SecureRandom.bytes(65536)).count, 256)
    }
}
