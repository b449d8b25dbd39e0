import Foundation
import Platform
import Shared

/// Payments' own settings (the common ones are in `CommonConfiguration`).
struct PaymentsConfiguration: Sendable {
    var masterKey: EncryptionKeyring?
    /// Where events are delivered (each service's internal listener): tenancy to all three; money to
    /// payouts; payment news to notifications.
    var ingressURL: String
    var payoutsURL: String
    var notificationsURL: String
    /// The address providers reach ingress at, shown as each connector's `webhook_url`.
    var publicIngressURL: String
    var providerTimeout: Duration
    var providerMaxAttempts: Int
    var breakerFailures: Int
    var breakerOpen: Duration
    var idempotencyRetention: Duration
    var idempotencyLease: Duration
    var razorpayCheckoutURLTemplate: String?
    /// The resolver: how often it runs, and how long it leaves fresh work to the request doing it.
    var resolverInterval: Duration
    var resolverQuietPeriod: Duration
    var outbox: OutboxRelayConfiguration

    init(reader: inout ConfigReader, common: CommonConfiguration) {
        let key = reader.string("COFFER_MASTER_KEY", secret: true)
        do {
            masterKey = key.isEmpty ? nil : try EncryptionKeyring(parsing: key)
        } catch {
            reader.problem("COFFER_MASTER_KEY is invalid: \(error)")
            masterKey = nil
        }
        ingressURL = reader.url("INGRESS_INTERNAL_URL", default: "http://127.0.0.1:9080")
        payoutsURL = reader.url("PAYOUTS_INTERNAL_URL", default: "http://127.0.0.1:9082")
        notificationsURL = reader.url("NOTIFICATIONS_INTERNAL_URL", default: "http://127.0.0.1:9083")
        publicIngressURL = reader.url("PUBLIC_INGRESS_URL", default: "http://127.0.0.1:8080")
        providerTimeout = reader.duration("PROVIDER_TIMEOUT", default: .seconds(10), minimum: .milliseconds(100))
        providerMaxAttempts = reader.int("PROVIDER_MAX_ATTEMPTS", default: 3, range: 1...10)
        breakerFailures = reader.int("PROVIDER_BREAKER_FAILURES", default: 5, range: 1...1000)
        breakerOpen = reader.duration("PROVIDER_BREAKER_OPEN", default: .seconds(30), minimum: .seconds(1))
        idempotencyRetention = reader.duration(
            "IDEMPOTENCY_RETENTION", default: .seconds(24 * 3600), minimum: .seconds(60))
        idempotencyLease = reader.duration("IDEMPOTENCY_LEASE", default: .seconds(120), minimum: .seconds(5))
        razorpayCheckoutURLTemplate = reader.optionalString("RAZORPAY_CHECKOUT_URL_TEMPLATE")
        resolverInterval = reader.duration("RESOLVER_INTERVAL", default: .seconds(15), minimum: .milliseconds(200))
        resolverQuietPeriod = reader.duration("RESOLVER_QUIET_PERIOD", default: .seconds(30), minimum: .zero)
        outbox = OutboxRelayConfiguration.read(from: &reader)
        // A request holds its idempotency key while it runs: the lease must outlast every provider retry.
        let worstCall = providerTimeout * providerMaxAttempts + .seconds(2 * providerMaxAttempts)
        if idempotencyLease < worstCall {
            reader.problem(
                "IDEMPOTENCY_LEASE must be at least PROVIDER_TIMEOUT × PROVIDER_MAX_ATTEMPTS plus backoff (\(worstCall.components.seconds) s)"
            )
        }
    }
}
