import Contracts
import Foundation
import HTTP
import Platform
import ProviderKit
import Shared

/// The payouts process: payees, balances, the payout queue and its workers, batches, safety rails,
/// reconciliation. `main()` boots it and runs until SIGTERM/SIGINT.
public enum PayoutsApp {
    public static let identity = ServiceIdentity(name: "payouts", defaultPort: 8082, migrations: PayoutsMigrations.all)
    static let replica = TenancyReplica(schema: "payouts")

    /// Who may tell payouts what: payments its tenancy and the payee money its ledger books; ingress
    /// what providers report about payouts. Nothing else, from nobody else.
    static let senders = EventSenders([
        "payments": [
            "tenant.", "api_key.", "connector.", MoneyEventType.payeeCredited, MoneyEventType.payeeDebited,
            MoneyEventType.payeeLivemodeConflict,
        ],
        "ingress": ["provider.payout."],
    ])

    /// Who hears what payouts publishes: payments books payees and settled payouts in its ledger;
    /// notifications tells people what happened to their payouts.
    static func events(_ configuration: PayoutsConfiguration) -> EventRoutes {
        let payments = EventRoutes.Subscriber(name: "payments", baseURL: configuration.paymentsURL)
        let notifications = EventRoutes.Subscriber(name: "notifications", baseURL: configuration.notificationsURL)
        return EventRoutes([
            (MoneyEventType.payeeUpserted, [payments]),
            (MoneyEventType.payeeAdjusted, [payments]),
            (MoneyEventType.payoutProcessed, [payments, notifications]),
            (MoneyEventType.payoutReversed, [payments, notifications]),
            ("payout.", [notifications]),
            ("provider_balance.", [notifications]),
        ])
    }

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, configuration) = await ServiceRuntime.boot(identity) { reader, common in
            PayoutsConfiguration(reader: &reader, common: common)
        }
        guard let keyring = configuration.masterKey else {
            // Payee destinations are sealed under the master key: without it nothing can be paid.
            runtime.logger.critical("COFFER_MASTER_KEY is required")
            return ConfigError.exitCode
        }
        let (services, snapshotLoader) = build(runtime: runtime, configuration: configuration, keyring: keyring)
        let snapshot = Task { await snapshotLoader.loadIfEmpty() }
        let code = await runtime.run(services)
        snapshot.cancel()
        return code
    }

    /// The process's parts: routes, loops and jobs on the service scaffold.
    static func build(
        runtime: ServiceRuntime, configuration: PayoutsConfiguration,
        keyring: EncryptionKeyring
    ) -> (services: [any Service], snapshotLoader: TenancySnapshotLoader) {
        let database = runtime.database
        let scaffold = ServiceScaffold(
            runtime: runtime, schema: "payouts", events: events(configuration), relay: configuration.outbox,
            audited: true, idempotency: (configuration.idempotencyRetention, configuration.idempotencyLease))
        let core = PayoutsCore(
            work: scaffold.work, vault: DestinationVault(keyring: keyring), configuration: configuration,
            logger: runtime.logger, queueBell: Doorbell())
        let directory = ConnectorDirectory(
            database: database, source: .replica(schema: "payouts"), keyring: keyring, logger: runtime.logger)
        let adapters = PayoutProviderAdapters.make(
            httpClient: TenantURLClient(runtime.httpClient, policy: .forEnvironment(runtime.configuration.environment)))
        let channels = PayoutChannels(directory: directory, adapters: adapters, timeout: configuration.providerTimeout)
        let authenticator = APIKeyAuthenticator(
            database: database, source: .replica(schema: "payouts"), failures: runtime.authFailures)
        // Revocations and suspensions reach this copy within TENANCY_MAX_STALENESS even if an event is
        // stuck; money-out requests are refused while it cannot be confirmed.
        let freshness = TenancyFreshness(
            replica: replica, database: database, client: runtime.internalClient,
            paymentsURL: configuration.paymentsURL, maxStaleness: runtime.configuration.tenancyMaxStaleness,
            logger: runtime.logger, metrics: runtime.metrics,
            onChange: {
                authenticator.invalidate(); directory.invalidateAll()
            })
        let payouts = Payouts(core: core)
        let reconciler = PayoutReconciler(core: core, channels: channels)
        let balanceSync = ProviderBalanceSync(core: core, channels: channels)

        let v1 = scaffold.tenantAPI(authenticator)
        PayeeRoutes.register(on: v1, payees: Payees(core: core))
        PayoutRoutes.register(
            on: v1, payouts: payouts, batches: Batches(core: core, payouts: payouts), freshness: freshness,
            dryRuns: TokenBucketLimiter(capacity: configuration.dryRunsPerMinute, refillPerSecond: 1),
            dryRunsPerMinute: configuration.dryRunsPerMinute, batchMaxItems: configuration.batchMaxItems)
        OperatorRoutes.register(
            on: scaffold.operatorAPI(), core: core, operators: Operators(core: core), holds: BalanceHolds(core: core),
            reconciler: reconciler, balanceSync: balanceSync)
        scaffold.serveAPIDocument(PayoutsOpenAPI.document)
        InternalRoutes.register(
            on: scaffold.router, core: core, readers: runtime.internalAuthentication.only(["payments"]))
        scaffold.receiveEvents(
            PayoutsEventConsumer(core: core, replica: replica, connectors: directory), senders: senders)

        scaffold.add(freshness)
        let worker = PayoutWorker(core: core, channels: channels, metrics: PayoutMetrics(registry: runtime.metrics))
        for index in 0..<configuration.workers { scaffold.add(worker.loop(index: index)) }
        scaffold.schedule(
            ScheduledJob(name: "reconcile-payouts", interval: configuration.reconciliationInterval) {
                try await reconciler.run()
            })
        scaffold.schedule(
            ScheduledJob(name: "sync-provider-balances", interval: configuration.balanceSyncInterval) {
                try await balanceSync.run()
            })
        let snapshotLoader = TenancySnapshotLoader(
            replica: replica, database: database, client: runtime.internalClient,
            paymentsURL: configuration.paymentsURL, logger: runtime.logger,
            onLoaded: { directory.invalidateAll() })
        return (scaffold.services(), snapshotLoader)
    }
}
