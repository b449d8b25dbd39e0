import HTTP
import Shared

/// `X-Razorpay-Signature: hex(HMAC-SHA256(webhook secret, raw body))`, with the event id in
/// `x-razorpay-event-id` (Razorpay's only place for it).
struct RazorpayWebhookSigner: WebhookSigner {
    func headers(for webhook: OutgoingWebhook, account: SandboxAccount, corrupt: Bool) -> HTTPHeaders {
        let secret = (account.webhookSecret ?? "") + (corrupt ? "-not-the-secret" : "")
        let signature = Hex.encode(HMAC.sha256(key: Array(secret.utf8), message: webhook.body))
        return [
            "X-Razorpay-Signature": signature,
            "x-razorpay-event-id": webhook.eventID,
            "User-Agent": "Razorpay-Webhook/v1",
            "Content-Type": "application/json",
        ]
    }
}
