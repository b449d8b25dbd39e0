import HTTP

/// One event a simulated provider sends to an account's webhook URL. The body is built once, so
/// retries and duplicates carry exactly the same bytes and event id, as a real provider's do.
struct OutgoingWebhook: Sendable {
    let provider: SandboxProvider
    let accountID: String
    let eventID: String
    let eventType: String
    /// The payment the event is about: reordering reverses events within one group.
    let groupKey: String
    let body: [UInt8]
    /// Where to send it instead of the account's webhook URL (MTN's per-request `X-Callback-Url`).
    var url: String? = nil
    /// MTN MoMo PUTs its callbacks; every other provider POSTs.
    var method: HTTPMethod = .POST
}

/// Signs one transmission the way its provider does. `corrupt` yields headers of the right shape whose
/// signature does not verify (`webhook_bad_signature`).
protocol WebhookSigner: Sendable {
    func headers(for webhook: OutgoingWebhook, account: SandboxAccount, corrupt: Bool) -> HTTPHeaders
}
