import XCTest

@testable import Shared

/// Versioned sealing of secrets at rest.
final class CryptoKeyringTests: XCTestCase {
    private let keyOne = [UInt8](repeating: 0x11, count: 32)
    private let keyTwo = [UInt8](repeating: 0x22, count: 32)
    private let context = "tenant:ten_123:connector:stripe"

    func testSealNamesVersionAndOpens() throws {
        let keyring = try EncryptionKeyring(keys: [1: keyOne])
        XCTAssertEqual(keyring.currentVersion, 1)
        let sealed = try keyring.seal("sk_live_abc", context: context)
        XCTAssertTrue(sealed.hasPrefix("v1."))
        XCTAssertEqual(keyring.version(of: sealed), 1)
        XCTAssertFalse(sealed.contains("sk_live"))
        // 12-byte nonce + 11-byte plaintext + 16-byte tag, unpadded base64url.
        XCTAssertEqual(Base64URL.decode(String(sealed.dropFirst(3)))?.count, 39)
        XCTAssertEqual(try keyring.openString(sealed, context: context), "sk_live_abc")
        XCTAssertEqual(try keyring.open(sealed, context: context), Array("sk_live_abc".utf8))
        XCTAssertNotEqual(try keyring.seal("sk_live_abc", context: context), sealed, "random nonce")
    }

    func testRotation() throws {
        let old = try EncryptionKeyring(keys: [1: keyOne])
        let sealedV1 = try old.seal(Array("whsec_1".utf8), context: context)
        let rotated = try EncryptionKeyring(keys: [1: keyOne, 2: keyTwo])
        XCTAssertEqual(rotated.currentVersion, 2)
        XCTAssertEqual(rotated.versions, [1, 2])
        XCTAssertEqual(try rotated.openString(sealedV1, context: context), "whsec_1", "old versions still open")
        XCTAssertTrue(rotated.needsReencryption(sealedV1))
        let sealedV2 = try rotated.seal("whsec_1", context: context)
        XCTAssertTrue(sealedV2.hasPrefix("v2."))
        XCTAssertEqual(rotated.version(of: sealedV2), 2)
        XCTAssertFalse(rotated.needsReencryption(sealedV2))
        XCTAssertFalse(old.needsReencryption(sealedV1))
        // A keyring that lacks the version says so rather than failing authentication.
        XCTAssertThrowsError(try old.open(sealedV2, context: context)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.unknownKeyVersion)
        }
        // Retagging a v1 value as v2 does not open it with the other key.
        XCTAssertThrowsError(try rotated.open("v2" + sealedV1.dropFirst(2), context: context)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.authenticationFailed)
        }
    }

    func testContextBindsCiphertextToItsRow() throws {
        let keyring = try EncryptionKeyring(keys: [1: keyOne])
        let sealed = try keyring.seal("secret", context: "tenant:ten_123:connector:stripe")
        for other in ["tenant:ten_124:connector:stripe", "tenant:ten_123:connector:paypal", ""] {
            XCTAssertThrowsError(try keyring.open(sealed, context: other), other) {
                XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.authenticationFailed)
            }
        }
    }

    func testTamperingFails() throws {
        let keyring = try EncryptionKeyring(keys: [1: keyOne])
        let sealed = try keyring.seal("secret", context: context)
        var payload = try XCTUnwrap(Base64URL.decode(String(sealed.dropFirst(3))))
        for index in [0, 12, payload.count - 1] {
            payload[index] ^= 0x01
            XCTAssertThrowsError(try keyring.open("v1." + Base64URL.encode(payload), context: context)) {
                XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.authenticationFailed)
            }
            payload[index] ^= 0x01
        }
    }

    func testMalformedSealedTextThrows() throws {
        let keyring = try EncryptionKeyring(keys: [1: keyOne])
        let malformed = [
            "", "v", "v1", "v1.", "1.AAAA", "v.AAAA", "vx.AAAA", "v-1.AAAA", "v01.AAAA", "v0.AAAA", "V1.AAAA",
            "v1.not base64!", "v1.AAAA", "v1." + Base64URL.encode([UInt8](repeating: 0, count: 27)),
            "v99999999999999999999.AAAA", "v1.+/==", "v1:AAAA", "plaintext secret",
        ]
        for text in malformed {
            XCTAssertThrowsError(try keyring.open(text, context: context), text) { error in
                let code = (error as? CryptoError)?.code
                XCTAssertTrue(
                    code == CryptoError.Code.malformedCiphertext || code == CryptoError.Code.unknownKeyVersion,
                    "\(text): \(String(describing: code))")
            }
            XCTAssertFalse(keyring.needsReencryption(text))
        }
        XCTAssertNil(keyring.version(of: "garbage"))
        XCTAssertNil(keyring.version(of: "v01.AAAA"))
        // Exactly nonce + tag (empty plaintext) is well-formed.
        let empty = try keyring.seal([UInt8](), context: context)
        XCTAssertEqual(try keyring.open(empty, context: context), [])
    }

    func testOpenStringRejectsNonUTF8() throws {
        let keyring = try EncryptionKeyring(keys: [1: keyOne])
        let sealed = try keyring.seal([0xff, 0xfe], context: context)
        XCTAssertThrowsError(try keyring.openString(sealed, context: context)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidUTF8)
        }
    }

    func testKeyValidation() {
        XCTAssertThrowsError(try EncryptionKeyring(keys: [:])) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.noKeys)
        }
        XCTAssertThrowsError(try EncryptionKeyring(keys: [1: [UInt8](repeating: 1, count: 16)])) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidKeyLength)
        }
        XCTAssertThrowsError(try EncryptionKeyring(keys: [0: keyOne])) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidKeyVersion)
        }
    }

    // MARK: COFFER_MASTER_KEY

    func testParsingSingleKeyForms() throws {
        let base64 = Base64.encode(keyOne)
        let hex = Hex.encode(keyOne)
        for text in [
            base64, String(base64.dropLast()), Base64URL.encode(keyOne), hex, hex.uppercased(), "  \(base64)\n",
        ] {
            let keyring = try EncryptionKeyring(parsing: text)
            XCTAssertEqual(keyring.currentVersion, 1, text)
            let sealed = try keyring.seal("x", context: "c")
            XCTAssertEqual(try EncryptionKeyring(keys: [1: keyOne]).openString(sealed, context: "c"), "x")
        }
    }

    func testParsingVersionedList() throws {
        let text = "v2:\(Base64.encode(keyTwo)), v1:\(Hex.encode(keyOne))"
        let keyring = try EncryptionKeyring(parsing: text)
        XCTAssertEqual(keyring.currentVersion, 2)
        XCTAssertEqual(keyring.versions, [1, 2])
        let sealedV1 = try EncryptionKeyring(keys: [1: keyOne]).seal("a", context: "c")
        let sealedV2 = try EncryptionKeyring(keys: [2: keyTwo]).seal("b", context: "c")
        XCTAssertEqual(try keyring.openString(sealedV1, context: "c"), "a")
        XCTAssertEqual(try keyring.openString(sealedV2, context: "c"), "b")
        XCTAssertEqual(try EncryptionKeyring(parsing: "v7:\(Base64.encode(keyTwo))").currentVersion, 7)
    }

    func testParsingErrorsNameTheProblemButNotTheKey() {
        let shortKey = Base64.encode([UInt8](repeating: 0x5a, count: 16))  // "WlpaWlpa…"
        let badBase64 = "c2VjcmV0LWtleS1tYXRlcmlhbA*="
        let longHex = Hex.encode([UInt8](repeating: 0xab, count: 33))
        let cases: [(String, String, String)] = [
            (shortKey, CryptoError.Code.invalidKeyLength, shortKey),
            (badBase64, CryptoError.Code.invalidEncoding, "c2VjcmV0LWtleS1tYXRlcmlhbA"),
            (longHex, CryptoError.Code.invalidKeyLength, "abababab"),
            ("v2:\(shortKey),v1:\(Base64.encode(keyOne))", CryptoError.Code.invalidKeyLength, shortKey),
            (
                "v1:\(Base64.encode(keyOne)),v1:\(Base64.encode(keyTwo))", CryptoError.Code.duplicateKeyVersion,
                Base64.encode(keyTwo)
            ),
            ("v0:\(Base64.encode(keyOne))", CryptoError.Code.invalidKeyVersion, Base64.encode(keyOne)),
            ("x1:\(Base64.encode(keyOne))", CryptoError.Code.invalidKeyVersion, Base64.encode(keyOne)),
            ("v+1:\(Base64.encode(keyOne))", CryptoError.Code.invalidKeyVersion, Base64.encode(keyOne)),
            ("v1:\(Base64.encode(keyOne)),", CryptoError.Code.invalidKeyVersion, Base64.encode(keyOne)),
            ("v2:\(badBase64)", CryptoError.Code.invalidEncoding, "c2VjcmV0LWtleS1tYXRlcmlhbA"),
            ("", CryptoError.Code.noKeys, "\u{0}"),
            ("   ", CryptoError.Code.noKeys, "\u{0}"),
        ]
        for (text, code, secret) in cases {
            XCTAssertThrowsError(try EncryptionKeyring(parsing: text), text) { error in
                guard let error = error as? CryptoError else { return XCTFail("not a CryptoError") }
                XCTAssertEqual(error.code, code, text)
                XCTAssertFalse(error.description.contains(secret), text)
                XCTAssertFalse(error.debugDescription.contains(secret), text)
                XCTAssertFalse(error.reason.isEmpty)
            }
        }
        // The reason says which entry and what is wrong.
        do {
            _ = try EncryptionKeyring(parsing: "v2:\(shortKey),v1:\(Base64.encode(keyOne))")
        } catch {
            XCTAssertTrue(String(reflecting: error).contains("v2"))
            XCTAssertTrue(String(reflecting: error).contains("16 bytes"))
        }
    }

    func testPrintingNeverShowsKeys() throws {
        let keyring = try EncryptionKeyring(keys: [1: keyOne, 2: keyTwo])
        var dumped = ""
        dump(keyring, to: &dumped)
        for text in ["\(keyring)", String(reflecting: keyring), dumped] {
            XCTAssertTrue(text.contains("EncryptionKeyring") || text.contains("versions"), text)
            XCTAssertFalse(text.contains("17"), text)  // 0x11 as a decimal element
            XCTAssertFalse(text.contains("34"), text)  // 0x22
        }
        XCTAssertEqual("\(keyring)", "EncryptionKeyring(versions: [1, 2], current: 2)")
    }
}
