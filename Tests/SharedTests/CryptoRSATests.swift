import XCTest

@testable import Shared

/// RSA PKCS#1 v1.5 signing and verification, PEM handling, and interoperability with Python.
final class CryptoRSATests: XCTestCase {
    /// Key generation is slow; the tests share two keys.
    static let key = try! RSAPrivateKey.generate()
    static let otherKey = try! RSAPrivateKey.generate()
    private let message = Array(CryptoFixtures.payPalMessage.utf8)

    func testGenerateSignVerify() throws {
        let key = Self.key
        XCTAssertEqual(key.bitCount, 2048)
        XCTAssertEqual(key.publicKey.bitCount, 2048)
        for digest in [Digest.sha256, .sha1, .sha512] {
            let signature = try key.signature(for: message, digest: digest)
            XCTAssertEqual(signature.count, 256)
            XCTAssertTrue(key.publicKey.isValidSignature(signature, for: message, digest: digest), "\(digest)")
            // PKCS#1 v1.5 is deterministic.
            XCTAssertEqual(try key.signature(for: message, digest: digest), signature)
        }
    }

    func testTamperingAndWrongKeyFail() throws {
        let key = Self.key
        let signature = try key.signature(for: message, digest: .sha256)
        var alteredMessage = message
        alteredMessage[alteredMessage.count - 1] ^= 0x01
        var alteredSignature = signature
        alteredSignature[100] ^= 0x01
        XCTAssertFalse(key.publicKey.isValidSignature(signature, for: alteredMessage, digest: .sha256))
        XCTAssertFalse(key.publicKey.isValidSignature(alteredSignature, for: message, digest: .sha256))
        XCTAssertFalse(key.publicKey.isValidSignature(signature, for: message, digest: .sha1), "wrong digest")
        XCTAssertFalse(Self.otherKey.publicKey.isValidSignature(signature, for: message, digest: .sha256), "wrong key")
        XCTAssertFalse(key.publicKey.isValidSignature([], for: message, digest: .sha256))
        XCTAssertFalse(key.publicKey.isValidSignature(Array(signature.dropLast()), for: message, digest: .sha256))
        XCTAssertFalse(key.publicKey.isValidSignature(signature + [0], for: message, digest: .sha256))
        XCTAssertFalse(
            key.publicKey.isValidSignature([UInt8](repeating: 0xff, count: 256), for: message, digest: .sha256))
        // A failed verification must not leave errors behind for the next libcrypto call.
        XCTAssertTrue(key.publicKey.isValidSignature(signature, for: message, digest: .sha256))
    }

    func testPEMRoundTrips() throws {
        let key = Self.key
        let privatePEM = key.pemRepresentation
        XCTAssertTrue(privatePEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8")
        let reloaded = try RSAPrivateKey(pem: privatePEM)
        XCTAssertEqual(reloaded.pemRepresentation, privatePEM)
        XCTAssertEqual(reloaded.publicKey.derRepresentation, key.publicKey.derRepresentation)
        XCTAssertEqual(
            try reloaded.signature(for: message, digest: .sha256), try key.signature(for: message, digest: .sha256))

        let publicPEM = key.publicKey.pemRepresentation
        XCTAssertTrue(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        XCTAssertTrue(publicPEM.hasSuffix("-----END PUBLIC KEY-----\n"))
        XCTAssertTrue(publicPEM.split(separator: "\n").allSatisfy { $0.count <= 64 })
        let publicKey = try RSAPublicKey(pem: publicPEM)
        XCTAssertEqual(publicKey.pemRepresentation, publicPEM)
        XCTAssertEqual(try RSAPublicKey(der: publicKey.derRepresentation).pemRepresentation, publicPEM)
        XCTAssertTrue(
            publicKey.isValidSignature(try key.signature(for: message, digest: .sha1), for: message, digest: .sha1))
    }

    // MARK: Interoperability with Python `cryptography`

    func testPythonSignaturesVerify() throws {
        let publicKey = try RSAPublicKey(pem: CryptoFixtures.pythonPublicKeyPEM)
        let sha256 = try XCTUnwrap(Base64.decode(CryptoFixtures.pythonSHA256Signature))
        let sha1 = try XCTUnwrap(Base64.decode(CryptoFixtures.pythonSHA1Signature))
        // The fixture's message really is PayPal's format over the body's CRC-32.
        XCTAssertTrue(
            CryptoFixtures.payPalMessage.hasSuffix("|\(CRC32.checksum(Array(CryptoFixtures.payPalBody.utf8)))"))
        XCTAssertTrue(publicKey.isValidSignature(sha256, for: message, digest: .sha256))
        XCTAssertTrue(publicKey.isValidSignature(sha1, for: message, digest: .sha1))
        XCTAssertFalse(publicKey.isValidSignature(sha1, for: message, digest: .sha256))
        XCTAssertFalse(publicKey.isValidSignature(sha256, for: Array("other".utf8), digest: .sha256))
        XCTAssertEqual(publicKey.pemRepresentation, CryptoFixtures.pythonPublicKeyPEM)
    }

    func testTraditionalPEMFromPythonSignsIdentically() throws {
        let key = try RSAPrivateKey(pem: CryptoFixtures.pythonPrivateKeyTraditionalPEM)
        XCTAssertEqual(key.publicKey.pemRepresentation, CryptoFixtures.pythonPublicKeyPEM)
        XCTAssertEqual(
            Base64.encode(try key.signature(for: message, digest: .sha256)), CryptoFixtures.pythonSHA256Signature)
        XCTAssertEqual(
            Base64.encode(try key.signature(for: message, digest: .sha1)), CryptoFixtures.pythonSHA1Signature)
    }

    // MARK: Rejections

    func testEncryptedPEMIsRejectedWithoutPrompting() {
        XCTAssertThrowsError(try RSAPrivateKey(pem: CryptoFixtures.pythonEncryptedPrivateKeyPEM)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidPEM)
        }
    }

    func testNonRSAAndGarbageAreRejected() {
        XCTAssertThrowsError(try RSAPublicKey(pem: CryptoFixtures.ecPublicKeyPEM)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.notRSA)
        }
        for text in ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"] {
            XCTAssertThrowsError(try RSAPublicKey(pem: text)) {
                XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidPEM)
            }
            XCTAssertThrowsError(try RSAPrivateKey(pem: text))
        }
        XCTAssertThrowsError(
            try RSAPrivateKey(pem: CryptoFixtures.pythonPublicKeyPEM), "a public key is not a private key")
        XCTAssertThrowsError(try RSAPublicKey(der: [0x30, 0x00]))
        XCTAssertThrowsError(try RSAPublicKey(der: Self.key.publicKey.derRepresentation + [0])) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidDER)
        }
        XCTAssertThrowsError(try RSAPrivateKey.generate(bits: 1024)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidKeySize)
        }
    }

    func testErrorDescriptionIsGenericAndDebugHasOpenSSLDetail() {
        do {
            _ = try RSAPublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
            XCTFail("must throw")
        } catch let error as CryptoError {
            XCTAssertEqual(error.description, "crypto operation failed (invalid_pem)")
            XCTAssertFalse(error.openSSLErrors.isEmpty)
            XCTAssertTrue(error.debugDescription.contains("openssl:"))
            XCTAssertFalse(error.debugDescription.contains("AAAA"))
        } catch {
            XCTFail("\(error)")
        }
    }
}
