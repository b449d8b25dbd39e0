import HTTP

/// MTN MoMo signs nothing: its callbacks are plain JSON to a URL only the merchant knows (Coffer's
/// callback token is a path segment), so "signing" adds only the headers MTN sends. A bad signature
/// (`webhook_bad_signature`) cannot be simulated.
struct MTNCallbackSigner: WebhookSigner {
    func headers(for webhook: OutgoingWebhook, account: SandboxAccount, corrupt: Bool) -> HTTPHeaders {
        ["Content-Type": "application/json", "User-Agent": "MTN-MoMo-Callback"]
    }
}
