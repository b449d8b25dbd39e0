import XCTest

@testable import Shared

/// AES-256-GCM against the GCM specification's test case 16, and its failure modes.
final class CryptoAESGCMTests: XCTestCase {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 60-byte
    // plaintext, 20-byte AAD); identical to Python cryptography's AESGCM output.
    private let key = Hex.decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308") ?? []
    private let nonce = Hex.decode("cafebabefacedbaddecaf888") ?? []
    private let aad = Hex.decode("feedfacedeadbeeffeedfacedeadbeefabaddad2") ?? []
    private let plaintext =
        Hex.decode(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39") ?? []
    private let ciphertext =
        Hex.decode(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662") ?? []
    private let tag = Hex.decode("76fc6ece0f4e1768cddf8853bb2d551b") ?? []

    func testSealMatchesSpecVector() throws {
        let box = try AESGCM.seal(plaintext, key: key, nonce: nonce, associatedData: aad)
        XCTAssertEqual(box.nonce, nonce)
        XCTAssertEqual(Hex.encode(box.ciphertext), Hex.encode(ciphertext))
        XCTAssertEqual(Hex.encode(box.tag), Hex.encode(tag))
    }

    func testOpenSpecVector() throws {
        let opened = try AESGCM.open(ciphertext: ciphertext, key: key, nonce: nonce, tag: tag, associatedData: aad)
        XCTAssertEqual(opened, plaintext)
    }

    func testEveryTamperFails() {
        var flippedCiphertext = ciphertext
        flippedCiphertext[17] ^= 0x01
        var flippedTag = tag
        flippedTag[15] ^= 0x80
        var flippedAAD = aad
        flippedAAD[0] ^= 0x01
        var wrongKey = key
        wrongKey[31] ^= 0x01
        var wrongNonce = nonce
        wrongNonce[0] ^= 0x01
        let cases: [(String, [UInt8], [UInt8], [UInt8], [UInt8], [UInt8])] = [
            ("ciphertext", flippedCiphertext, key, nonce, tag, aad),
            ("truncated ciphertext", Array(ciphertext.dropLast()), key, nonce, tag, aad),
            ("tag", ciphertext, key, nonce, flippedTag, aad),
            ("aad", ciphertext, key, nonce, tag, flippedAAD),
            ("missing aad", ciphertext, key, nonce, tag, []),
            ("key", ciphertext, wrongKey, nonce, tag, aad),
            ("nonce", ciphertext, key, wrongNonce, tag, aad),
        ]
        for (name, ciphertext, key, nonce, tag, aad) in cases {
            XCTAssertThrowsError(
                try AESGCM.open(ciphertext: ciphertext, key: key, nonce: nonce, tag: tag, associatedData: aad), name
            ) { error in
                XCTAssertEqual((error as? CryptoError)?.code, CryptoError.Code.authenticationFailed, name)
            }
        }
    }

    func testTruncatedTagIsRejectedNotPrefixChecked() {
        // OpenSSL would verify only a prefix if told the tag is shorter; a 4-byte tag is forgeable.
        XCTAssertThrowsError(
            try AESGCM.open(
                ciphertext: ciphertext, key: key, nonce: nonce, tag: Array(tag.prefix(12)), associatedData: aad)
        ) { XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidTagLength) }
    }

    func testLengthValidation() {
        XCTAssertThrowsError(try AESGCM.seal([1], key: Array(key.prefix(16)))) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidKeyLength)
        }
        XCTAssertThrowsError(try AESGCM.seal([1], key: key, nonce: [UInt8](repeating: 0, count: 16))) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidNonceLength)
        }
        XCTAssertThrowsError(try AESGCM.open(ciphertext: [], key: key, nonce: [], tag: tag)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidNonceLength)
        }
    }

    func testRandomNonceRoundTripAndEmptyInputs() throws {
        let key = SecureRandom.bytes(32)
        let first = try AESGCM.seal(Array("secret".utf8), key: key)
        let second = try AESGCM.seal(Array("secret".utf8), key: key)
        XCTAssertEqual(first.nonce.count, 12)
        XCTAssertEqual(first.tag.count, 16)
        XCTAssertNotEqual(first.nonce, second.nonce, "a fresh nonce per seal")
        XCTAssertNotEqual(first.ciphertext, second.ciphertext)
        XCTAssertEqual(
            try AESGCM.open(ciphertext: first.ciphertext, key: key, nonce: first.nonce, tag: first.tag),
            Array("secret".utf8))

        let empty = try AESGCM.seal([], key: key, associatedData: Array("only aad".utf8))
        XCTAssertEqual(empty.ciphertext, [])
        XCTAssertEqual(
            try AESGCM.open(
                ciphertext: [], key: key, nonce: empty.nonce, tag: empty.tag, associatedData: Array("only aad".utf8)),
            [])
        XCTAssertThrowsError(try AESGCM.open(ciphertext: [], key: key, nonce: empty.nonce, tag: empty.tag))
    }

    func testErrorTextIsGeneric() {
        do {
            _ = try AESGCM.open(ciphertext: ciphertext, key: key, nonce: nonce, tag: tag, associatedData: [])
            XCTFail("must throw")
        } catch {
            XCTAssertEqual("\(error)", "crypto operation failed (authentication_failed)")
            XCTAssertFalse(String(reflecting: error).contains(Hex.encode(key)))
        }
    }
}
