import Foundation
import HTTP
import Shared

/// `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(whsec_…, "t.body")>`, signed afresh for every
/// transmission as Stripe does (the key is the whole `whsec_…` string as UTF-8).
struct StripeWebhookSigner: WebhookSigner {
    func headers(for webhook: OutgoingWebhook, account: SandboxAccount, corrupt: Bool) -> HTTPHeaders {
        let timestamp = String(Int64(Date().timeIntervalSince1970))
        let secret = (account.webhookSecret ?? "") + (corrupt ? "-not-the-secret" : "")
        var message = Array(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: webhook.body)
        let signature = Hex.encode(HMAC.sha256(key: Array(secret.utf8), message: message))
        return [
            "Stripe-Signature": "t=\(timestamp),v1=\(signature)",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Content-Type": "application/json; charset=utf-8",
        ]
    }
}
