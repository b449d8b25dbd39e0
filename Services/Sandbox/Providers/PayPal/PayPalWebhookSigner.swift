import Foundation
import HTTP
import Shared

/// PayPal's five `PAYPAL-*` headers: an RSA PKCS#1 v1.5 SHA-256 signature over
/// `"<transmission id>|<transmission time>|<webhook id>|<CRC32 of the body, unsigned decimal>"`,
/// verifiable with the certificate at `PAYPAL-CERT-URL` (served by the sandbox).
struct PayPalWebhookSigner: WebhookSigner {
    let identity: PayPalSigningIdentity
    let publicURL: String

    func headers(for webhook: OutgoingWebhook, account: SandboxAccount, corrupt: Bool) -> HTTPHeaders {
        let transmissionID = ProviderIDs.uuid()
        let time = Timestamp.rfc3339(Date())
        var crc = CRC32.checksum(webhook.body)
        // A real signature over the wrong message: well-formed, and never verifies.
        if corrupt { crc ^= 1 }
        let message = Array("\(transmissionID)|\(time)|\(account.webhookID ?? "")|\(crc)".utf8)
        let signature = (try? identity.sign(message)).map { Base64.encode($0) } ?? ""
        return [
            "PAYPAL-TRANSMISSION-ID": transmissionID,
            "PAYPAL-TRANSMISSION-TIME": time,
            "PAYPAL-TRANSMISSION-SIG": signature,
            "PAYPAL-CERT-URL": publicURL + "/paypal/certs/" + identity.certificateID,
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "User-Agent": "PayPal/AUHD-214.0-58725584",
            "Content-Type": "application/json",
        ]
    }
}
