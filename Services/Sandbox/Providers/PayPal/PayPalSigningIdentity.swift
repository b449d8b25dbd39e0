import Foundation
import Shared

/// The key and certificate chain the sandbox signs PayPal webhooks with: a self-made CA and a leaf
/// for `messageverificationcerts.paypal.com`, as PayPal's chain ends in one. Tests and connectors
/// pin the leaf (`GET /_sandbox/paypal/certificate`), since ingress fetches certificates only from
/// PayPal's own hosts.
final class PayPalSigningIdentity: Sendable {
    static let leafName = "messageverificationcerts.paypal.com"

    let key: RSAPrivateKey
    let leaf: X509Certificate
    let authority: X509Certificate
    /// The id in `PAYPAL-CERT-URL` (`CERT-360caa42-fca2a594-1d93a270`).
    let certificateID: String

    init(key: RSAPrivateKey, leaf: X509Certificate, authority: X509Certificate, certificateID: String) {
        self.key = key
        self.leaf = leaf
        self.authority = authority
        self.certificateID = certificateID
    }

    /// A fresh key, CA and leaf, valid for two years.
    static func generate() throws -> PayPalSigningIdentity {
        let now = Date()
        let authorityKey = try RSAPrivateKey.generate(bits: 2048)
        let authority = try X509Certificate.makeSelfSignedAuthority(
            commonName: "Coffer Sandbox PayPal Webhook CA", key: authorityKey,
            notBefore: now.addingTimeInterval(-86_400),
            notAfter: now.addingTimeInterval(3 * 365 * 86_400))
        let key = try RSAPrivateKey.generate(bits: 2048)
        let leaf = try X509Certificate.issue(
            commonName: leafName, subjectAlternativeDNSNames: [leafName], publicKey: key.publicKey, issuer: authority,
            issuerKey: authorityKey, notBefore: now.addingTimeInterval(-86_400),
            notAfter: now.addingTimeInterval(2 * 365 * 86_400))
        let hex = Array("0123456789abcdef".utf8)
        let certificateID =
            "CERT-" + ProviderIDs.random(8, from: hex) + "-" + ProviderIDs.random(8, from: hex) + "-"
            + ProviderIDs.random(8, from: hex)
        return PayPalSigningIdentity(key: key, leaf: leaf, authority: authority, certificateID: certificateID)
    }

    /// Leaf then CA, as served at the certificate URL.
    var chainPEM: String { leaf.pemRepresentation + authority.pemRepresentation }

    /// RSA PKCS#1 v1.5 with SHA-256 over `message` (`SHA256withRSA`).
    func sign(_ message: [UInt8]) throws -> [UInt8] {
        try key.signature(for: message, digest: .sha256)
    }
}
