import Contracts
import Foundation
import HTTP
import Postgres
import Shared
import Synchronization

/// Keeps a service's tenancy copy confirmed against payments, the owner, with a bound
/// (`TENANCY_MAX_STALENESS`, default 60 s). The outbox normally brings revocations and suspensions
/// within moments; this loop asks payments what changed since its last confirmation every quarter of
/// the bound (at most every 15 s), applies it to the copy and forgets cached keys. So a revoked key
/// or a suspended tenant stops working here within the bound even when an event is stuck.
///
/// Requests that move money out call `requireConfirmed()`: when the copy has not been confirmed
/// within the bound (payments unreachable, or not yet at start-up) they are refused with 503
/// `tenancy_stale` — fail closed. Nothing else is refused for staleness: ingress keeps accepting
/// verified webhooks, reads keep working.
public final class TenancyFreshness: Service {
    public let name = "tenancy-freshness"
    private let replica: TenancyReplica
    private let database: PostgresPool
    private let client: InternalClient
    private let paymentsURL: String
    private let maxStaleness: Duration
    private let logger: Logger
    private let onChange: @Sendable () -> Void
    private let control = LoopControl()
    /// Monotonic nanoseconds of the last confirmation; 0 = never.
    private let confirmedAt = Atomic<UInt64>(0)
    private let since = Mutex<Date?>(nil)
    private let ageGauge: MetricFamily<Gauge>?
    private let failures: MetricFamily<Counter>?

    /// Changes are asked for from this long before payments' last answer: a change whose transaction
    /// began earlier but committed later (or a clock apart by less) is still seen. Applying twice is harmless.
    static let overlapSeconds: TimeInterval = 120

    public init(
        replica: TenancyReplica, database: PostgresPool, client: InternalClient, paymentsURL: String,
        maxStaleness: Duration, logger: Logger, metrics: MetricsRegistry?, onChange: @escaping @Sendable () -> Void
    ) {
        self.replica = replica
        self.database = database
        self.client = client
        self.paymentsURL = paymentsURL
        self.maxStaleness = maxStaleness
        self.logger = logger.with(["component": "tenancy-freshness"])
        self.onChange = onChange
        ageGauge = metrics?.gauge(
            "coffer_tenancy_confirmation_age_seconds",
            help: "Seconds since this service's tenancy copy was last confirmed against payments (-1: never).")
        failures = metrics?.counter(
            "coffer_tenancy_confirmation_failures_total",
            help: "Attempts to confirm the tenancy copy against payments that failed.")
    }

    /// How often the copy is confirmed: a quarter of the bound, between 1 and 15 seconds.
    public var interval: Duration { min(.seconds(15), max(.seconds(1), maxStaleness / 4)) }

    public func run() async throws {
        while control.isRunning {
            // After a failure, ask again soon: money out waits on it.
            let confirmed = await confirm()
            await control.pause(confirmed ? interval : min(interval, .seconds(1)))
        }
    }

    public func shutdown() async {
        control.stop()
    }

    /// One confirmation round; false when payments could not be asked or the copy not updated.
    @discardableResult
    public func confirm() async -> Bool {
        let started = MonotonicClock.nanoseconds()
        let from = since.withLock { $0 }
        var url = paymentsURL + "/internal/tenancy/changes"
        if let from { url += "?since=" + Timestamp.rfc3339Milliseconds(from.addingTimeInterval(-Self.overlapSeconds)) }
        do {
            let changes = try await client.get(url, from: "payments", as: TenancyChanges.self, timeout: interval)
            try await apply(changes)
            since.withLock { $0 = changes.asOf }
            confirmedAt.store(max(started, 1), ordering: .relaxed)
            if !changes.tenants.isEmpty || !changes.revokedKeys.isEmpty || !changes.apiKeys.isEmpty { onChange() }
            updateGauge()
            return true
        } catch {
            failures?.increment()
            updateGauge()
            logger.warning(
                "could not confirm the tenancy copy against payments",
                [
                    "error": .string(String(describing: error)), "age_seconds": .int(ageSeconds ?? -1),
                ])
            return false
        }
    }

    /// Seconds since the last confirmation; nil when never confirmed.
    public var ageSeconds: Int64? {
        let at = confirmedAt.load(ordering: .relaxed)
        guard at > 0 else { return nil }
        return Int64((MonotonicClock.nanoseconds() &- at) / 1_000_000_000)
    }

    /// Whether the copy was confirmed within the bound.
    public var isConfirmed: Bool {
        let at = confirmedAt.load(ordering: .relaxed)
        guard at > 0 else { return false }
        let bound = UInt64(clamping: maxStaleness.components.seconds) &* 1_000_000_000
        return MonotonicClock.nanoseconds() &- at <= bound
    }

    /// For requests that move money out: refuses when the copy may be missing a revocation or a
    /// suspension beyond the bound.
    public func requireConfirmed() throws {
        updateGauge()
        guard isConfirmed else {
            throw HTTPError(
                .serviceUnavailable, code: "tenancy_stale",
                message:
                    "Keys and tenants could not be confirmed recently; money cannot move until they are. Retry shortly.",
                headers: ["Retry-After": String(max(1, interval.components.seconds))])
        }
    }

    private func updateGauge() { ageGauge?.set(ageSeconds ?? -1) }

    private func apply(_ changes: TenancyChanges) async throws {
        guard !changes.tenants.isEmpty || !changes.apiKeys.isEmpty || !changes.revokedKeys.isEmpty else { return }
        try await database.platformTransaction { connection in
            for tenant in changes.tenants { try await replica.upsert(tenant, on: connection) }
            for key in changes.apiKeys { try await replica.insert(key, on: connection) }
            for revoked in changes.revokedKeys { try await replica.revoke(revoked, on: connection) }
        }
    }
}
