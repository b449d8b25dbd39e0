import Foundation
import Platform
import Shared

/// Ingress's own settings (the common ones are in `CommonConfiguration`).
struct IngressConfiguration: Sendable {
    /// `false` is refused unless `COFFER_ENV=development`; then unverified webhooks are accepted with a warning.
    var requireSignature: Bool
    var timestampTolerance: Int64
    var maxBodyBytes: Int
    var ipRateLimit: (perSecond: Int, burst: Int)
    var tenantRateLimit: (perSecond: Int, burst: Int)
    var attemptRetention: Duration
    var bodyRetention: Duration
    var eventRetention: Duration
    var paymentsURL: String
    var payoutsURL: String
    var masterKey: EncryptionKeyring?
    var paypalCertificateHosts: Set<String>
    var trustedRootsPath: String
    var storeFlushers: Int
    var storeMaxBatch: Int
    var outbox: OutboxRelayConfiguration

    init(reader: inout ConfigReader, common: CommonConfiguration) {
        requireSignature = reader.bool("REQUIRE_WEBHOOK_SIGNATURE", default: true)
        if !requireSignature, common.environment != .development {
            reader.problem("REQUIRE_WEBHOOK_SIGNATURE=false is only allowed with COFFER_ENV=development")
        }
        timestampTolerance = Int64(
            reader.duration("WEBHOOK_TIMESTAMP_TOLERANCE", default: .seconds(300), minimum: .seconds(1)).components
                .seconds)
        maxBodyBytes = reader.int("WEBHOOK_MAX_BODY_BYTES", default: 512 * 1024, range: 1024...(16 << 20))
        ipRateLimit = (
            reader.int("WEBHOOK_RATE_LIMIT_PER_IP", default: 1000, range: 1...10_000_000),
            reader.int("WEBHOOK_RATE_LIMIT_PER_IP_BURST", default: 2000, range: 1...10_000_000)
        )
        tenantRateLimit = (
            reader.int("WEBHOOK_RATE_LIMIT_PER_TENANT", default: 500, range: 1...10_000_000),
            reader.int("WEBHOOK_RATE_LIMIT_PER_TENANT_BURST", default: 1000, range: 1...10_000_000)
        )
        attemptRetention = reader.duration(
            "WEBHOOK_ATTEMPT_RETENTION", default: .seconds(30 * 86_400), minimum: .seconds(3600))
        bodyRetention = reader.duration(
            "WEBHOOK_BODY_RETENTION", default: .seconds(30 * 86_400), minimum: .seconds(3600))
        // Deduplication must cover providers' retry windows (Stripe: 3 days) with room: at least 30 days.
        eventRetention = reader.duration(
            "WEBHOOK_EVENT_RETENTION", default: .seconds(90 * 86_400), minimum: .seconds(30 * 86_400))
        paymentsURL = reader.url("PAYMENTS_INTERNAL_URL", default: "http://127.0.0.1:9081")
        payoutsURL = reader.url("PAYOUTS_INTERNAL_URL", default: "http://127.0.0.1:9082")
        let key = reader.string("COFFER_MASTER_KEY", secret: true)
        do {
            masterKey = key.isEmpty ? nil : try EncryptionKeyring(parsing: key)
        } catch {
            reader.problem("COFFER_MASTER_KEY is invalid: \(error)")
            masterKey = nil
        }
        paypalCertificateHosts = Set(
            reader.list("PAYPAL_CERT_HOSTS", default: Array(PayPalCertificateStore.defaultHosts)))
        trustedRootsPath = reader.string("TRUSTED_CA_FILE", default: "/etc/ssl/certs/ca-certificates.crt")
        storeFlushers = reader.int("INGRESS_STORE_FLUSHERS", default: 2, range: 1...64)
        storeMaxBatch = reader.int("INGRESS_STORE_MAX_BATCH", default: 256, range: 1...5000)
        outbox = OutboxRelayConfiguration.read(from: &reader)
    }
}
