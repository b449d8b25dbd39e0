import Foundation
import Platform
import Shared

/// Payouts' own settings (the common ones are in `CommonConfiguration`).
struct PayoutsConfiguration: Sendable {
    var masterKey: EncryptionKeyring?
    var paymentsURL: String
    var notificationsURL: String
    /// Worker tasks per process, payouts each claims at a time, and provider calls each runs at once.
    var workers: Int
    var claimBatch: Int
    var callsPerWorker: Int
    /// How long a claimed payout is a worker's before it is presumed abandoned and looked up.
    var lease: Duration
    /// How often a payout the provider accepted but has not finished is looked up again.
    var pendingRecheck: Duration
    var maxAttempts: Int
    var retryBase: Duration
    var retryMax: Duration
    var providerTimeout: Duration
    var idempotencyRetention: Duration
    var idempotencyLease: Duration
    var reconciliationInterval: Duration
    /// Changed payouts (besides open ones) the reconciliation re-checks with the provider.
    var reconciliationLookback: Duration
    var balanceSyncInterval: Duration
    /// Fraud holds: payouts to one payee per hour, and how far above its largest recent payout an amount may go.
    var velocityPerHour: Int
    var historyMultiplier: Int
    /// A batch is one transaction: its size is bounded, and dry runs (which run the whole batch and roll
    /// back) are limited per tenant.
    /// Live credits up to this amount (minor units, per currency) take one operator; above it, or in a
    /// currency not listed, a second operator confirms (`PAYOUTS_SECOND_OPERATOR_CREDIT=INR:1000000,USD:100000`).
    var secondOperatorCredit: [String: Int64]
    var batchMaxItems: Int
    var dryRunsPerMinute: Int
    var outbox: OutboxRelayConfiguration

    init(reader: inout ConfigReader, common: CommonConfiguration) {
        let key = reader.string("COFFER_MASTER_KEY", secret: true)
        do {
            masterKey = key.isEmpty ? nil : try EncryptionKeyring(parsing: key)
        } catch {
            reader.problem("COFFER_MASTER_KEY is invalid: \(error)")
            masterKey = nil
        }
        paymentsURL = reader.url("PAYMENTS_INTERNAL_URL", default: "http://127.0.0.1:9081")
        notificationsURL = reader.url("NOTIFICATIONS_INTERNAL_URL", default: "http://127.0.0.1:9083")
        workers = reader.int("PAYOUT_WORKERS", default: 2, range: 0...64)
        claimBatch = reader.int("PAYOUT_CLAIM_BATCH", default: 200, range: 1...5000)
        callsPerWorker = reader.int("PAYOUT_CALLS_PER_WORKER", default: 32, range: 1...1024)
        lease = reader.duration("PAYOUT_LEASE", default: .seconds(60), minimum: .seconds(1))
        pendingRecheck = reader.duration("PAYOUT_PENDING_RECHECK", default: .seconds(300), minimum: .seconds(1))
        maxAttempts = reader.int("PAYOUT_MAX_ATTEMPTS", default: 8, range: 1...100)
        retryBase = reader.duration("PAYOUT_RETRY_BASE", default: .seconds(5), minimum: .milliseconds(10))
        retryMax = reader.duration("PAYOUT_RETRY_MAX", default: .seconds(3600), minimum: .milliseconds(10))
        providerTimeout = reader.duration("PROVIDER_TIMEOUT", default: .seconds(15), minimum: .milliseconds(100))
        idempotencyRetention = reader.duration(
            "IDEMPOTENCY_RETENTION", default: .seconds(24 * 3600), minimum: .seconds(60))
        idempotencyLease = reader.duration("IDEMPOTENCY_LEASE", default: .seconds(60), minimum: .seconds(5))
        reconciliationInterval = reader.duration(
            "RECONCILIATION_INTERVAL", default: .seconds(15 * 60), minimum: .seconds(1))
        reconciliationLookback = reader.duration(
            "RECONCILIATION_LOOKBACK", default: .seconds(48 * 3600), minimum: .seconds(60))
        balanceSyncInterval = reader.duration("BALANCE_SYNC_INTERVAL", default: .seconds(3600), minimum: .seconds(1))
        velocityPerHour = reader.int("FRAUD_VELOCITY_PER_HOUR", default: 10, range: 1...100_000)
        historyMultiplier = reader.int("FRAUD_HISTORY_MULTIPLIER", default: 5, range: 2...1000)
        secondOperatorCredit = [:]
        for entry in reader.list("PAYOUTS_SECOND_OPERATOR_CREDIT") {
            let parts = entry.split(separator: ":").map(String.init)
            guard parts.count == 2, let currency = Currency(code: parts[0].uppercased()), let amount = Int64(parts[1]),
                amount >= 0,
                amount <= 99_999_999_999
            else {
                reader.problem("PAYOUTS_SECOND_OPERATOR_CREDIT entries must be CURRENCY:minor-units, got \"\(entry)\"")
                continue
            }
            secondOperatorCredit[currency.code] = amount
        }
        batchMaxItems = reader.int("PAYOUT_BATCH_MAX_ITEMS", default: 1000, range: 1...10_000)
        dryRunsPerMinute = reader.int("PAYOUT_DRY_RUNS_PER_MINUTE", default: 10, range: 1...10_000)
        outbox = OutboxRelayConfiguration.read(from: &reader)
        if lease <= providerTimeout {
            reader.problem(
                "PAYOUT_LEASE must be longer than PROVIDER_TIMEOUT (a worker must finish its call before its lease ends)"
            )
        }
    }
}
