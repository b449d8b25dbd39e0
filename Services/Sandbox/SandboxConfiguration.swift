import Platform
import Shared

/// The sandbox's own settings, read next to the common ones.
struct SandboxConfiguration: Sendable {
    /// Base URL put in links the sandbox hands out (3-D Secure, Checkout, approval, PayPal's certificate).
    var publicURL: String
    var webhooks: WebhookDispatcher.Settings
    /// The behaviour every provider starts with (and returns to on reset).
    var defaultBehaviour: Behaviour
    /// Idempotency keys remembered per process before the oldest are forgotten.
    var idempotencyCapacity: Int
    /// How often executed operations are written to `sandbox.operations`.
    var operationsFlushInterval: Duration
    /// Lifetime of PayPal access tokens (`expires_in`).
    var paypalTokenLifetime: Duration
    /// Lifetime of MTN MoMo access tokens (`expires_in`).
    var mtnTokenLifetime: Duration
    /// What each payout balance pot (a currency, a RazorpayX account number) opens with, in minor units.
    var payoutOpeningBalance: Int64

    init(reader: inout ConfigReader, common: CommonConfiguration) {
        publicURL = reader.url("SANDBOX_PUBLIC_URL", default: "http://127.0.0.1:\(common.http.port)")
        var webhooks = WebhookDispatcher.Settings()
        webhooks.attempts = reader.int("SANDBOX_WEBHOOK_ATTEMPTS", default: 5, range: 1...50)
        webhooks.retryBase = reader.duration("SANDBOX_WEBHOOK_RETRY_BASE", default: .milliseconds(500))
        webhooks.retryMax = reader.duration("SANDBOX_WEBHOOK_RETRY_MAX", default: .seconds(5))
        webhooks.timeout = reader.duration("SANDBOX_WEBHOOK_TIMEOUT", default: .seconds(5), minimum: .milliseconds(10))
        webhooks.concurrency = reader.int("SANDBOX_WEBHOOK_CONCURRENCY", default: 64, range: 1...4096)
        webhooks.reorderWindow = reader.duration("SANDBOX_WEBHOOK_REORDER_WINDOW", default: .seconds(2))
        webhooks.queueLimit = reader.int("SANDBOX_WEBHOOK_QUEUE_LIMIT", default: 1_000_000, range: 1...100_000_000)
        self.webhooks = webhooks
        var behaviour = Behaviour()
        behaviour.autoCompleteDelayMilliseconds = Int(
            Self.milliseconds(
                reader.duration("SANDBOX_AUTO_COMPLETE_DELAY", default: .milliseconds(500))))
        behaviour.timeoutMilliseconds = Int(
            Self.milliseconds(reader.duration("SANDBOX_TIMEOUT_HOLD", default: .seconds(30))))
        behaviour.payoutDelayMilliseconds = Int(
            Self.milliseconds(reader.duration("SANDBOX_PAYOUT_DELAY", default: .milliseconds(300))))
        defaultBehaviour = behaviour
        idempotencyCapacity = reader.int("SANDBOX_IDEMPOTENCY_KEYS", default: 200_000, range: 100...10_000_000)
        operationsFlushInterval = reader.duration(
            "SANDBOX_OPERATIONS_FLUSH_INTERVAL", default: .milliseconds(200),
            minimum: .milliseconds(10))
        paypalTokenLifetime = reader.duration(
            "SANDBOX_PAYPAL_TOKEN_TTL", default: .seconds(32_400), minimum: .seconds(1))
        mtnTokenLifetime = reader.duration("SANDBOX_MTN_TOKEN_TTL", default: .seconds(3600), minimum: .seconds(1))
        // Large enough that a long benchmark never runs a pot dry (10^12 minor units: ten billion rupees).
        payoutOpeningBalance = Int64(
            reader.int("SANDBOX_PAYOUT_BALANCE", default: 1_000_000_000_000, range: 0...1_000_000_000_000_000))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
