import Foundation
import Platform
import Shared

/// PayPal: `PAYPAL-TRANSMISSION-SIG` (base64) is an RSA PKCS#1 v1.5 signature (`PAYPAL-AUTH-ALGO`
/// SHA256withRSA, or legacy SHA1withRSA) over `"<transmission id>|<transmission time>|<webhook id>|<CRC32
/// of the raw body, unsigned decimal>"`, with the certificate at `PAYPAL-CERT-URL` (or one pinned in
/// the connector). The transmission time must be within the tolerance.
struct PayPalVerifier: WebhookVerifier {
    let tolerance: TimestampTolerance
    let certificates: PayPalCertificateStore

    func verify(_ request: WebhookRequest, connectors: [OpenedConnector]) async -> Result<
        VerifiedWebhook, WebhookRejection
    > {
        let headers = request.headers
        guard let transmissionID = headers["PAYPAL-TRANSMISSION-ID"], let time = headers["PAYPAL-TRANSMISSION-TIME"],
            let signatureText = headers["PAYPAL-TRANSMISSION-SIG"]
        else { return .failure(.missingSignature) }
        let digest: Digest
        switch headers["PAYPAL-AUTH-ALGO"]?.uppercased() ?? "SHA256WITHRSA" {
        case "SHA256WITHRSA": digest = .sha256
        case "SHA1WITHRSA": digest = .sha1
        default: return .failure(.invalidSignature)
        }
        guard let signature = Base64.decode(signatureText.trimmingCharacters(in: .whitespaces)), !signature.isEmpty,
            let sentAt = Timestamp.parse(time)
        else { return .failure(.invalidSignature) }
        let crc = CRC32.checksum(request.body)
        let usable = connectors.filter { $0.webhookID != nil }
        guard !usable.isEmpty else { return .failure(.connectorMisconfigured) }

        var fetched: X509Certificate?
        for connector in usable {
            guard let webhookID = connector.webhookID else { continue }
            let message = Array("\(transmissionID)|\(time)|\(webhookID)|\(crc)".utf8)
            var candidates = connector.pinnedCertificates.filter { $0.isValid(at: request.receivedAt) }
            if connector.pinnedCertificates.isEmpty {
                if fetched == nil {
                    guard let url = headers["PAYPAL-CERT-URL"] else { return .failure(.missingSignature) }
                    switch await certificates.certificate(at: url, now: request.receivedAt) {
                    case .success(let certificate): fetched = certificate
                    case .failure(let rejection): return .failure(rejection)
                    }
                }
                candidates = fetched.map { [$0] } ?? []
            }
            for certificate in candidates {
                guard let key = try? certificate.publicKey,
                    key.isValidSignature(signature, for: message, digest: digest)
                else { continue }
                guard tolerance.accepts(Int64(sentAt.timeIntervalSince1970), now: request.receivedAt) else {
                    return .failure(.staleTimestamp)
                }
                return .success(
                    VerifiedWebhook(
                        connector: connector, method: .signature, needsConfirmation: false, headerEventID: nil))
            }
        }
        return .failure(.invalidSignature)
    }
}
