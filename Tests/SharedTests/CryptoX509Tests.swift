import Foundation
import XCTest

@testable import Shared

/// Certificates: minting (as the provider sandbox does), reading fields, and chain verification.
final class CryptoX509Tests: XCTestCase {
    /// RSA key generation is slow; the tests share these.
    static let rootKey = try! RSAPrivateKey.generate()
    static let intermediateKey = try! RSAPrivateKey.generate()
    static let leafKey = try! RSAPrivateKey.generate()
    static let impostorKey = try! RSAPrivateKey.generate()

    private let payPalHost = "messageverificationcerts.paypal.com"
    private let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
    private let day: TimeInterval = 86_400

    private func root(_ name: String = "Coffer Sandbox Root", key: RSAPrivateKey = rootKey) throws -> X509Certificate {
        try .makeSelfSignedAuthority(
            commonName: name, key: key, notBefore: now - 3650 * day, notAfter: now + 3650 * day)
    }

    private func leaf(
        issuer: X509Certificate, issuerKey: RSAPrivateKey, notBefore: Date? = nil, notAfter: Date? = nil
    ) throws -> X509Certificate {
        try .issue(
            commonName: payPalHost, subjectAlternativeDNSNames: [payPalHost, "www.\(payPalHost)"],
            publicKey: Self.leafKey.publicKey, issuer: issuer, issuerKey: issuerKey,
            notBefore: notBefore ?? now - 30 * day, notAfter: notAfter ?? now + 335 * day)
    }

    private func assertChainFails(
        _ leaf: X509Certificate, intermediates: [X509Certificate] = [], roots: [X509Certificate], at date: Date? = nil,
        code: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(
            try leaf.verifyChain(intermediates: intermediates, trustedRoots: roots, at: date ?? now), file: file,
            line: line
        ) { error in
            XCTAssertEqual((error as? CryptoError)?.code, code, String(reflecting: error), file: file, line: line)
        }
    }

    // MARK: Minting and reading back

    func testAuthorityAndLeafFields() throws {
        let root = try root()
        XCTAssertEqual(root.subject, "CN=Coffer Sandbox Root")
        XCTAssertEqual(root.issuer, root.subject)
        XCTAssertEqual(root.subjectCommonName, "Coffer Sandbox Root")
        XCTAssertEqual(root.subjectAlternativeDNSNames, [])
        XCTAssertEqual(root.notBefore, now - 3650 * day)
        XCTAssertEqual(root.notAfter, now + 3650 * day)

        let leaf = try leaf(issuer: root, issuerKey: Self.rootKey)
        XCTAssertEqual(leaf.subject, "CN=\(payPalHost)")
        XCTAssertEqual(leaf.issuer, "CN=Coffer Sandbox Root")
        XCTAssertEqual(leaf.subjectCommonName, payPalHost)
        XCTAssertEqual(leaf.subjectAlternativeDNSNames, [payPalHost, "www.\(payPalHost)"])
        XCTAssertEqual(leaf.notBefore, now - 30 * day)
        XCTAssertEqual(leaf.notAfter, now + 335 * day)
        XCTAssertEqual(leaf.serialNumberHex.count, 32, "random 128-bit serial")
        XCTAssertNotEqual(leaf.serialNumberHex, root.serialNumberHex)
        XCTAssertEqual(leaf.sha256Fingerprint, Hex.encode(SHA256.hash(leaf.derRepresentation)))
        XCTAssertEqual(try leaf.publicKey.derRepresentation, Self.leafKey.publicKey.derRepresentation)
        XCTAssertTrue(leaf.isValid(at: now))
        XCTAssertTrue(leaf.isValid(at: leaf.notBefore))
        XCTAssertTrue(leaf.isValid(at: leaf.notAfter))
        XCTAssertFalse(leaf.isValid(at: leaf.notBefore - 1))
        XCTAssertFalse(leaf.isValid(at: leaf.notAfter + 1))
    }

    func testSignatureWithLeafKeyVerifiesThroughCertificate() throws {
        // The PayPal flow: sign "<id>|<time>|<webhook id>|<crc32>", verify with the cert's key.
        let leaf = try leaf(issuer: try root(), issuerKey: Self.rootKey)
        let message = Array(CryptoFixtures.payPalMessage.utf8)
        let signature = try Self.leafKey.signature(for: message, digest: .sha256)
        XCTAssertTrue(try leaf.publicKey.isValidSignature(signature, for: message, digest: .sha256))
        XCTAssertFalse(try leaf.publicKey.isValidSignature(signature, for: message + [0x20], digest: .sha256))
    }

    func testPEMAndDERRoundTrips() throws {
        let leaf = try leaf(issuer: try root(), issuerKey: Self.rootKey)
        let pem = leaf.pemRepresentation
        XCTAssertTrue(pem.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        XCTAssertTrue(pem.hasSuffix("-----END CERTIFICATE-----\n"))
        let fromPEM = try X509Certificate(pem: pem)
        let fromDER = try X509Certificate(der: leaf.derRepresentation)
        for copy in [fromPEM, fromDER] {
            XCTAssertEqual(copy.derRepresentation, leaf.derRepresentation)
            XCTAssertEqual(copy.sha256Fingerprint, leaf.sha256Fingerprint)
            XCTAssertEqual(copy.subject, leaf.subject)
            XCTAssertEqual(copy.serialNumberHex, leaf.serialNumberHex)
        }
        XCTAssertThrowsError(try X509Certificate(der: leaf.derRepresentation + [0])) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidDER)
        }
        XCTAssertThrowsError(try X509Certificate(der: Array(leaf.derRepresentation.dropLast())))
        XCTAssertThrowsError(try X509Certificate(pem: "garbage")) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidPEM)
        }
    }

    func testPEMChainParsesInOrder() throws {
        let root = try root()
        let leaf = try leaf(issuer: root, issuerKey: Self.rootKey)
        let bundle =
            "leading text\n" + leaf.pemRepresentation + Self.leafKey.publicKey.pemRepresentation
            + root.pemRepresentation
        let chain = try X509Certificate.certificates(fromPEMChain: bundle)
        XCTAssertEqual(chain.count, 2)
        XCTAssertEqual(chain.map(\.sha256Fingerprint), [leaf.sha256Fingerprint, root.sha256Fingerprint])
        XCTAssertEqual(
            try X509Certificate(pem: bundle).sha256Fingerprint, leaf.sha256Fingerprint, "init(pem:) takes the first")

        XCTAssertThrowsError(try X509Certificate.certificates(fromPEMChain: "")) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.noCertificates)
        }
        XCTAssertThrowsError(try X509Certificate.certificates(fromPEMChain: Self.leafKey.publicKey.pemRepresentation)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.noCertificates)
        }
        let damaged = leaf.pemRepresentation + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        XCTAssertThrowsError(try X509Certificate.certificates(fromPEMChain: damaged)) {
            XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidPEM)
        }
    }

    // MARK: Chain verification

    func testChainVerifies() throws {
        let root = try root()
        let leaf = try leaf(issuer: root, issuerKey: Self.rootKey)
        XCTAssertNoThrow(try leaf.verifyChain(intermediates: [], trustedRoots: [root], at: now))
        XCTAssertNoThrow(
            try leaf.verifyChain(intermediates: [], trustedRoots: [try self.root("Unrelated"), root], at: now))
    }

    func testChainThroughIntermediate() throws {
        let root = try root()
        let intermediate = try X509Certificate.issue(
            commonName: "Coffer Sandbox Intermediate", publicKey: Self.intermediateKey.publicKey, issuer: root,
            issuerKey: Self.rootKey, notBefore: now - 365 * day, notAfter: now + 365 * day, isCertificateAuthority: true
        )
        let leaf = try leaf(issuer: intermediate, issuerKey: Self.intermediateKey)
        XCTAssertNoThrow(try leaf.verifyChain(intermediates: [intermediate], trustedRoots: [root], at: now))
        // Missing intermediate: no path from the leaf to a trusted root.
        assertChainFails(leaf, roots: [root], code: CryptoError.Code.untrustedChain)
        // An intermediate is not a trust anchor: trusting it alone is not enough.
        assertChainFails(leaf, roots: [intermediate], code: CryptoError.Code.untrustedChain)
    }

    func testExpiredAndNotYetValid() throws {
        let root = try root()
        let expired = try leaf(issuer: root, issuerKey: Self.rootKey, notBefore: now - 400 * day, notAfter: now - day)
        assertChainFails(expired, roots: [root], code: CryptoError.Code.expired)
        XCTAssertNoThrow(
            try expired.verifyChain(intermediates: [], trustedRoots: [root], at: now - 2 * day), "checked at `date`")

        let future = try leaf(issuer: root, issuerKey: Self.rootKey, notBefore: now + day, notAfter: now + 400 * day)
        assertChainFails(future, roots: [root], code: CryptoError.Code.notYetValid)

        // The date applies to the whole chain, including the root.
        let valid = try leaf(issuer: root, issuerKey: Self.rootKey)
        assertChainFails(valid, roots: [root], at: now + 3651 * day, code: CryptoError.Code.expired)
    }

    func testLeafSignedByAnotherCA() throws {
        let trusted = try root()
        // An impostor CA with the very same name: the leaf names the trusted CA but its signature is wrong.
        let impostor = try root(key: Self.impostorKey)
        XCTAssertEqual(impostor.subject, trusted.subject)
        let forged = try leaf(issuer: impostor, issuerKey: Self.impostorKey)
        assertChainFails(forged, roots: [trusted], code: CryptoError.Code.signatureInvalid)
        // A differently named CA that is not trusted.
        let other = try root("Some Other CA", key: Self.impostorKey)
        let foreign = try leaf(issuer: other, issuerKey: Self.impostorKey)
        assertChainFails(foreign, roots: [trusted], code: CryptoError.Code.untrustedChain)
        assertChainFails(foreign, roots: [], code: CryptoError.Code.untrustedChain)
        // Supplying the untrusted CA as an "intermediate" does not make it trusted.
        assertChainFails(foreign, intermediates: [other], roots: [trusted], code: CryptoError.Code.untrustedChain)
    }

    func testAlteredSignatureIsDetected() throws {
        let root = try root()
        var der = try leaf(issuer: root, issuerKey: Self.rootKey).derRepresentation
        der[der.count - 1] ^= 0x01  // the DER ends with the signature bits
        let altered = try X509Certificate(der: der)
        assertChainFails(altered, roots: [root], code: CryptoError.Code.signatureInvalid)
    }

    func testEndEntityCannotIssue() throws {
        let root = try root()
        let leaf = try leaf(issuer: root, issuerKey: Self.rootKey)
        let grandchild = try X509Certificate.issue(
            commonName: "evil.example", publicKey: Self.impostorKey.publicKey, issuer: leaf, issuerKey: Self.leafKey,
            notBefore: now - day, notAfter: now + day)
        assertChainFails(grandchild, intermediates: [leaf], roots: [root], code: CryptoError.Code.invalidCA)
    }

    func testSelfSignedLeafIsUntrustedUnlessPinned() throws {
        let root = try root()
        let selfSigned = try X509Certificate.makeSelfSignedAuthority(
            commonName: payPalHost, key: Self.leafKey, notBefore: now - day, notAfter: now + day)
        assertChainFails(selfSigned, roots: [root], code: CryptoError.Code.untrustedChain)
        XCTAssertNoThrow(try selfSigned.verifyChain(intermediates: [], trustedRoots: [selfSigned], at: now))
    }

    func testIssuingValidatesInput() throws {
        let root = try root()
        XCTAssertThrowsError(
            try X509Certificate.issue(
                commonName: payPalHost, publicKey: Self.leafKey.publicKey, issuer: root, issuerKey: Self.impostorKey,
                notBefore: now, notAfter: now + day)
        ) { XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.keyMismatch) }
        XCTAssertThrowsError(
            try X509Certificate.issue(
                commonName: payPalHost, publicKey: Self.leafKey.publicKey, issuer: root, issuerKey: Self.rootKey,
                notBefore: now, notAfter: now)
        ) { XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidValidity) }
        for names in [["a.example,IP:127.0.0.1"], ["a.example:443"], [""], ["a b"]] {
            XCTAssertThrowsError(
                try X509Certificate.issue(
                    commonName: "x", subjectAlternativeDNSNames: names, publicKey: Self.leafKey.publicKey, issuer: root,
                    issuerKey: Self.rootKey, notBefore: now, notAfter: now + day), "\(names)"
            ) { XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidName) }
        }
        XCTAssertThrowsError(
            try X509Certificate.makeSelfSignedAuthority(
                commonName: "", key: Self.rootKey, notBefore: now, notAfter: now + day)
        ) { XCTAssertEqual(($0 as? CryptoError)?.code, CryptoError.Code.invalidName) }
        // Names that need escaping in RFC 2253 still work, and UTF-8 stays readable.
        let escaped = try X509Certificate.makeSelfSignedAuthority(
            commonName: "Café, \"Test\" + CA", key: Self.rootKey, notBefore: now, notAfter: now + day)
        XCTAssertEqual(escaped.subjectCommonName, "Café, \"Test\" + CA")
        XCTAssertEqual(escaped.subject, "CN=Café\\, \\\"Test\\\" \\+ CA")
    }

    // MARK: A chain made by Python `cryptography`

    func testPythonMadeChain() throws {
        let chain = try X509Certificate.certificates(fromPEMChain: CryptoFixtures.pythonLeafAndRootPEM)
        XCTAssertEqual(chain.count, 2)
        let (leaf, root) = (chain[0], chain[1])
        XCTAssertEqual(leaf.subject, "CN=messageverificationcerts.paypal.com,O=PayPal\\, Inc.,ST=California,C=US")
        XCTAssertEqual(leaf.issuer, "CN=Coffer Test Root CA,O=Coffer Test Roots,C=US")
        XCTAssertEqual(leaf.subjectCommonName, payPalHost)
        XCTAssertEqual(leaf.subjectAlternativeDNSNames, [payPalHost, "www.\(payPalHost)"])
        XCTAssertEqual(leaf.serialNumberHex, "a1b2c3d4e5f")
        XCTAssertEqual(root.serialNumberHex, "1000")
        XCTAssertEqual(leaf.sha256Fingerprint, CryptoFixtures.pythonLeafFingerprint)
        XCTAssertEqual(leaf.notBefore, Timestamp.parse("2026-01-15T12:00:00Z"))
        XCTAssertEqual(leaf.notAfter, Timestamp.parse("2027-01-15T12:00:00Z"))
        XCTAssertEqual(root.notBefore, Timestamp.parse("2025-01-01T00:00:00Z"))
        XCTAssertEqual(try leaf.publicKey.bitCount, 2048)

        let inside = try XCTUnwrap(Timestamp.parse("2026-06-01T00:00:00Z"))
        XCTAssertNoThrow(try leaf.verifyChain(intermediates: [], trustedRoots: [root], at: inside))
        assertChainFails(
            leaf, roots: [root], at: Timestamp.parse("2027-01-15T12:00:01Z"), code: CryptoError.Code.expired)
        assertChainFails(
            leaf, roots: [root], at: Timestamp.parse("2026-01-15T11:59:59Z"), code: CryptoError.Code.notYetValid)
        assertChainFails(
            leaf, roots: [try self.root("Coffer Test Root CA")], at: inside, code: CryptoError.Code.untrustedChain)
    }

    func testVerificationErrorDescriptions() throws {
        let root = try root()
        let expired = try leaf(issuer: root, issuerKey: Self.rootKey, notBefore: now - 400 * day, notAfter: now - day)
        do {
            try expired.verifyChain(intermediates: [], trustedRoots: [root], at: now)
            XCTFail("must throw")
        } catch {
            XCTAssertEqual("\(error)", "crypto operation failed (expired)")
            XCTAssertTrue(String(reflecting: error).contains("certificate has expired"), String(reflecting: error))
            XCTAssertTrue(String(reflecting: error).contains("depth 0"))
        }
    }

    func testConcurrentVerification() async throws {
        let root = try root()
        let leaf = try leaf(issuer: root, issuerKey: Self.rootKey)
        let now = self.now
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<32 {
                group.addTask { (try? leaf.verifyChain(intermediates: [], trustedRoots: [root], at: now)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(results, Array(repeating: true, count: 32))
    }
}
