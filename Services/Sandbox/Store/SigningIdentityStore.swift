import Foundation
import Postgres
import Shared

/// Keeps the PayPal signing identity in `sandbox.signing_identities`, so a restarted sandbox signs
/// with the certificate connectors already pinned. Renewed when it has less than 30 days left.
struct SigningIdentityStore: Sendable {
    let database: PostgresPool

    func paypalIdentity(logger: Logger) async throws -> PayPalSigningIdentity {
        if let stored = try await load(), stored.leaf.notAfter > Date().addingTimeInterval(30 * 86_400) {
            return stored
        }
        let fresh = try PayPalSigningIdentity.generate()
        _ = try await database.execute(
            """
            INSERT INTO sandbox.signing_identities (name, private_key_pem, certificate_chain_pem, certificate_id)
            VALUES ('paypal', \(fresh.key.pemRepresentation), \(fresh.chainPEM), \(fresh.certificateID))
            ON CONFLICT (name) DO UPDATE SET private_key_pem = excluded.private_key_pem,
                certificate_chain_pem = excluded.certificate_chain_pem, certificate_id = excluded.certificate_id, created_at = now()
            """)
        logger.notice("created a PayPal webhook signing certificate", ["certificate_id": .string(fresh.certificateID)])
        return fresh
    }

    private func load() async throws -> PayPalSigningIdentity? {
        guard
            let row = try await database.query(
                """
                SELECT private_key_pem, certificate_chain_pem, certificate_id FROM sandbox.signing_identities WHERE name = 'paypal'
                """
            ).first
        else { return nil }
        let (keyPEM, chainPEM, certificateID) = try row.decode((String, String, String).self)
        let chain = try X509Certificate.certificates(fromPEMChain: chainPEM)
        guard chain.count >= 2 else { return nil }
        return PayPalSigningIdentity(
            key: try RSAPrivateKey(pem: keyPEM), leaf: chain[0], authority: chain[1], certificateID: certificateID)
    }
}
