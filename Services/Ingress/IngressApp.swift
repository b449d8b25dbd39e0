import Contracts
import Foundation
import HTTP
import Platform
import Shared

/// The ingress process: providers' webhooks in — verified, kept exactly once, handed on. `main()` boots
/// it and runs until SIGTERM/SIGINT.
public enum IngressApp {
    public static let identity = ServiceIdentity(name: "ingress", defaultPort: 8080, migrations: IngressMigrations.all)

    /// Who hears what ingress stores: payments the news about payments, refunds and disputes; payouts
    /// the news about payouts.
    static func events(_ configuration: IngressConfiguration) -> EventRoutes {
        let payments = EventRoutes.Subscriber(name: "payments", baseURL: configuration.paymentsURL)
        return EventRoutes([
            ("provider.payment.", [payments]),
            ("provider.refund.", [payments]),
            ("provider.dispute.", [payments]),
            ("provider.payout.", [.init(name: "payouts", baseURL: configuration.payoutsURL)]),
        ])
    }

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, configuration) = await ServiceRuntime.boot(identity) { reader, common in
            IngressConfiguration(reader: &reader, common: common)
        }
        guard let keyring = configuration.masterKey else {
            // Unreachable: configuration refuses to start without a valid COFFER_MASTER_KEY.
            runtime.logger.critical("COFFER_MASTER_KEY is required")
            return ConfigError.exitCode
        }
        if !configuration.requireSignature {
            runtime.logger.warning(
                "REQUIRE_WEBHOOK_SIGNATURE=false: webhooks that fail verification are ACCEPTED (development only)")
        }
        let (services, snapshotLoader) = build(runtime: runtime, configuration: configuration, keyring: keyring)
        let snapshot = Task { await snapshotLoader.loadIfEmpty() }
        let code = await runtime.run(services)
        snapshot.cancel()
        return code
    }

    /// The process's parts on the service scaffold. Ingress's outbox is its event table itself (a
    /// stored webhook is its own delivery), so it runs its relay over `IngressDelivery.table`.
    static func build(
        runtime: ServiceRuntime, configuration: IngressConfiguration,
        keyring: EncryptionKeyring
    ) -> (services: [any Service], snapshotLoader: TenancySnapshotLoader) {
        let scaffold = ServiceScaffold(
            runtime: runtime, schema: "ingress", events: nil, relay: configuration.outbox, audited: false,
            idempotency: nil)
        let directory = ConnectorDirectory(
            database: runtime.database, source: .replica(schema: "ingress"), keyring: keyring,
            logger: runtime.logger)
        let routes = events(configuration)
        let outbox = Outbox(schema: "ingress", routes: routes, doorbell: Doorbell())
        let store = WebhookStore(
            database: runtime.database, maxFlushers: configuration.storeFlushers,
            maxBatch: configuration.storeMaxBatch, metrics: runtime.metrics, logger: runtime.logger)
        let certificates = PayPalCertificateStore(
            client: runtime.httpClient, allowedHosts: configuration.paypalCertificateHosts,
            rootsPath: configuration.trustedRootsPath, logger: runtime.logger)
        let receiver = WebhookReceiver(
            configuration: configuration, directory: directory,
            verifiers: WebhookVerifiers(
                tolerance: TimestampTolerance(seconds: configuration.timestampTolerance), certificates: certificates),
            store: store, routes: routes, outbox: outbox,
            ipLimiter: TokenBucketLimiter(
                capacity: configuration.ipRateLimit.burst, refillPerSecond: configuration.ipRateLimit.perSecond),
            tenantLimiter: TokenBucketLimiter(
                capacity: configuration.tenantRateLimit.burst,
                refillPerSecond: configuration.tenantRateLimit.perSecond),
            metrics: IngressMetrics(registry: runtime.metrics))

        WebhookRoutes.register(
            on: scaffold.router, receiver: receiver, store: store, maxBodyBytes: configuration.maxBodyBytes)
        AdminRoutes.register(
            on: scaffold.operatorAPI(), log: WebhookEventLog(database: runtime.database), outbox: outbox)
        scaffold.serveAPIDocument(IngressOpenAPI.document)
        scaffold.receiveEvents(
            TenancyConsumer(directory: directory),
            senders: EventSenders(["payments": ["tenant.", "api_key.", "connector."]]))
        scaffold.add(
            OutboxRelay(
                table: IngressDelivery.table, subscribers: routes.subscribers, doorbell: outbox.doorbell,
                runtime: runtime,
                configuration: configuration.outbox))
        for job in RetentionJobs.all(database: runtime.database, configuration: configuration, logger: runtime.logger) {
            scaffold.schedule(job)
        }
        let snapshotLoader = TenancySnapshotLoader(
            replica: TenancyConsumer.replica, database: runtime.database, client: runtime.internalClient,
            paymentsURL: configuration.paymentsURL, logger: runtime.logger,
            onLoaded: { directory.invalidateAll() })
        return (scaffold.services(), snapshotLoader)
    }
}
