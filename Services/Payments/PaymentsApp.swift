import Contracts
import Foundation
import HTTP
import Platform
import ProviderKit
import Shared

/// The payments process: tenants, keys, connectors, payments, refunds, the ledger. `main()` boots it
/// and runs until SIGTERM/SIGINT.
public enum PaymentsApp {
    public static let identity = ServiceIdentity(
        name: "payments", defaultPort: 8081, migrations: PaymentsMigrations.all)

    /// Who may tell payments what: ingress what providers report about payments, refunds and disputes;
    /// payouts its payees, operator adjustments and settled payouts (which payments books).
    static let senders = EventSenders([
        "ingress": ["provider.payment.", "provider.refund.", "provider.dispute."],
        // Whole families, so a newer payouts' new payout.* types are acknowledged and ignored, not refused.
        "payouts": ["payee.", "payout."],
    ])

    /// Who hears what payments publishes (DESIGN.md): tenancy to every service that keeps a copy, a
    /// payee's money to payouts, what happened to payments to notifications.
    static func events(_ configuration: PaymentsConfiguration) -> EventRoutes {
        let ingress = EventRoutes.Subscriber(name: "ingress", baseURL: configuration.ingressURL)
        let payouts = EventRoutes.Subscriber(name: "payouts", baseURL: configuration.payoutsURL)
        let notifications = EventRoutes.Subscriber(name: "notifications", baseURL: configuration.notificationsURL)
        return EventRoutes([
            (TenancyEventType.tenantUpserted, [ingress, payouts, notifications]),
            (TenancyEventType.apiKeyCreated, [ingress, payouts, notifications]),
            (TenancyEventType.apiKeyRevoked, [ingress, payouts, notifications]),
            (TenancyEventType.connectorUpserted, [ingress, payouts, notifications]),
            ("payee.", [payouts]),
            ("payment.", [notifications]),
            ("refund.", [notifications]),
            ("fulfillment.", [notifications]),
            ("dispute.", [notifications]),
        ])
    }

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, configuration) = await ServiceRuntime.boot(identity) { reader, common in
            PaymentsConfiguration(reader: &reader, common: common)
        }
        guard let keyring = configuration.masterKey else {
            // Connector secrets are sealed under the master key: without it no provider can be called.
            runtime.logger.critical("COFFER_MASTER_KEY is required")
            return ConfigError.exitCode
        }
        return await runtime.run(build(runtime: runtime, configuration: configuration, keyring: keyring))
    }

    /// The process's parts: routes, loops and jobs on the service scaffold.
    static func build(runtime: ServiceRuntime, configuration: PaymentsConfiguration, keyring: EncryptionKeyring)
        -> [any Service]
    {
        let database = runtime.database
        let scaffold = ServiceScaffold(
            runtime: runtime, schema: "payments", events: events(configuration), relay: configuration.outbox,
            audited: true, idempotency: (configuration.idempotencyRetention, configuration.idempotencyLease))
        let directory = ConnectorDirectory(
            database: database, source: .owner(schema: "payments"), keyring: keyring, logger: runtime.logger)
        let adapters = PaymentProviderAdapters.make(
            httpClient: TenantURLClient(runtime.httpClient, policy: .forEnvironment(runtime.configuration.environment)),
            razorpayCheckoutURLTemplate: configuration.razorpayCheckoutURLTemplate
                ?? RazorpayCheckoutURL.sandboxTemplate)
        let gateway = ProviderGateway(
            adapters: adapters,
            breakers: CircuitBreakers(
                failureThreshold: configuration.breakerFailures,
                openDuration: configuration.breakerOpen),
            maxAttempts: configuration.providerMaxAttempts, metrics: ProviderMetrics(registry: runtime.metrics))
        let core = PaymentsCore(
            work: scaffold.work, gateway: gateway, directory: directory, providerTimeout: configuration.providerTimeout,
            logger: runtime.logger, captureBell: Doorbell(), confirmationBell: Doorbell())
        let authenticator = APIKeyAuthenticator(
            database: database, source: .owner(schema: "payments"), failures: runtime.authFailures)
        let tenants = Tenants(work: scaffold.work)
        let connectors = Connectors(
            work: scaffold.work, keyring: keyring, directory: directory, environment: runtime.configuration.environment,
            publicIngressURL: configuration.publicIngressURL)

        let v1 = scaffold.tenantAPI(authenticator)
        PaymentRoutes.register(on: v1, payments: Payments(core: core), refunds: Refunds(core: core))
        TenantRoutes.register(on: v1, tenants: tenants, connectors: connectors)
        OperatorRoutes.register(
            on: scaffold.operatorAPI(), tenants: tenants, connectors: connectors, authenticator: authenticator,
            parked: ParkedItemStore(database: database), livemode: LivemodeStore(database: database))
        InternalRoutes.register(
            on: scaffold.router, snapshots: TenancySnapshotSource(database: database),
            changes: TenancyChangesSource(database: database),
            readers: runtime.internalAuthentication.only(["ingress", "payouts", "notifications", "monitoring"]))
        scaffold.serveAPIDocument(PaymentsOpenAPI.document)
        scaffold.receiveEvents(PaymentsEventConsumer(core: core), senders: senders)

        let resolver = PaymentResolver(
            core: core, quietPeriod: configuration.resolverQuietPeriod, interval: configuration.resolverInterval)
        scaffold.schedule(resolver.job)
        scaffold.schedulerPolls(every: configuration.resolverInterval)
        scaffold.add(ParkedEventsWorker(core: core).loop)
        scaffold.add(AutoCaptureWorker(core: core).loop)
        scaffold.add(
            LivemodeBackfill(core: core, client: runtime.internalClient, payoutsURL: configuration.payoutsURL).loop)
        return scaffold.services()
    }
}
