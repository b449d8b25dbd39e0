import Foundation
import HTTP
import Platform
import Shared

/// The ingress service process: providers' webhooks in — verified, kept exactly once, handed on.
public enum IngressService {
    public static let identity = ServiceIdentity(name: "ingress", defaultPort: 8080, migrations: IngressMigrations.all)

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
        let app = IngressApp(runtime: runtime, configuration: configuration, keyring: keyring)
        if !configuration.requireSignature {
            runtime.logger.warning("REQUIRE_WEBHOOK_SIGNATURE=false: webhooks that fail verification are ACCEPTED (development only)")
        }
        let snapshot = Task { await app.snapshotLoader.loadIfEmpty() }
        let code = await runtime.run(app.services)
        snapshot.cancel()
        return code
    }
}

/// Ingress's parts, built from its runtime and configuration (also used by in-process tests).
struct IngressApp: Sendable {
    let server: ServiceListeners
    let relay: OutboxRelay
    let scheduler: JobScheduler
    let snapshotLoader: TenancySnapshotLoader
    let copy: TenancyCopy
    let store: WebhookStore

    var services: [any Service] { [relay, scheduler, server] }

    init(runtime: ServiceRuntime, configuration: IngressConfiguration, keyring: EncryptionKeyring) {
        copy = TenancyCopy(database: runtime.database, keyring: keyring, logger: runtime.logger)
        let routes = EventRoutes([
            ("provider.payment.", [.init(name: "payments", baseURL: configuration.paymentsURL)]),
            ("provider.refund.", [.init(name: "payments", baseURL: configuration.paymentsURL)]),
            ("provider.dispute.", [.init(name: "payments", baseURL: configuration.paymentsURL)]),
            ("provider.payout.", [.init(name: "payouts", baseURL: configuration.payoutsURL)]),
        ])
        let doorbell = Doorbell()
        let outbox = Outbox(schema: "ingress", routes: routes, doorbell: doorbell)
        store = WebhookStore(database: runtime.database, maxFlushers: configuration.storeFlushers,
                             maxBatch: configuration.storeMaxBatch, metrics: runtime.metrics, logger: runtime.logger)
        let certificates = PayPalCertificateStore(client: runtime.httpClient, allowedHosts: configuration.paypalCertificateHosts,
                                                  rootsPath: configuration.trustedRootsPath, logger: runtime.logger)
        let receiver = WebhookReceiver(
            configuration: configuration, copy: copy,
            verifiers: WebhookVerifiers(tolerance: TimestampTolerance(seconds: configuration.timestampTolerance), certificates: certificates),
            store: store, routes: routes, outbox: outbox,
            ipLimiter: TokenBucketLimiter(capacity: configuration.ipRateLimit.burst, refillPerSecond: configuration.ipRateLimit.perSecond),
            tenantLimiter: TokenBucketLimiter(capacity: configuration.tenantRateLimit.burst,
                                              refillPerSecond: configuration.tenantRateLimit.perSecond),
            metrics: IngressMetrics(registry: runtime.metrics))

        let router = Router()
        WebhookRoutes.register(on: router, receiver: receiver, store: store, maxBodyBytes: configuration.maxBodyBytes)
        AdminRoutes.register(on: router, runtime: runtime, outbox: outbox)
        InternalEventsEndpoint(schema: "ingress", database: runtime.database, consumer: TenancyConsumer(copy: copy),
                               senders: EventSenders(["payments": ["tenant.", "api_key.", "connector."]]),
                               metrics: runtime.metrics)
            .register(on: router, authentication: runtime.internalAuthentication)
        server = runtime.makeServer(router: router)
        relay = OutboxRelay(table: IngressDelivery.table, subscribers: routes.subscribers, doorbell: doorbell, runtime: runtime,
                            configuration: configuration.outbox)
        scheduler = JobScheduler(schema: "ingress", database: runtime.database,
                                 jobs: RetentionJobs.all(database: runtime.database, configuration: configuration, logger: runtime.logger),
                                 logger: runtime.logger)
        snapshotLoader = TenancySnapshotLoader(replica: TenancyConsumer.replica, database: runtime.database, client: runtime.internalClient,
                                               paymentsURL: configuration.paymentsURL, logger: runtime.logger)
    }
}
