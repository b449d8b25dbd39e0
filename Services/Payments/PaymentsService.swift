import Foundation
import HTTP
import Platform
import ProviderKit
import Shared

/// The payments service process: tenants, keys, connectors, payments, refunds, the ledger.
public enum PaymentsService {
    public static let identity = ServiceIdentity(name: "payments", defaultPort: 8081, migrations: PaymentsMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, configuration) = await ServiceRuntime.boot(identity) { reader, common in
            PaymentsConfiguration(reader: &reader, common: common)
        }
        guard let keyring = configuration.masterKey else {
            runtime.logger.critical("COFFER_MASTER_KEY is required")
            return ConfigError.exitCode
        }
        let app = PaymentsApp(runtime: runtime, configuration: configuration, keyring: keyring)
        return await runtime.run(app.services)
    }
}

/// Payments' parts, built from its runtime and configuration.
struct PaymentsApp: Sendable {
    let server: ServiceListeners
    let relay: OutboxRelay
    let scheduler: JobScheduler
    let parkedEvents: ParkedEventsWorker
    let auditSealer: AuditSealer
    let autoCapture: AutoCaptureWorker
    let livemodeBackfill: LivemodeBackfill

    var services: [any Service] { [relay, scheduler, parkedEvents, autoCapture, auditSealer, livemodeBackfill, server] }

    /// Who may tell payments what: ingress what providers report about payments, refunds and disputes;
    /// payouts its payees, operator adjustments and settled payouts (which payments books).
    static let senders = EventSenders([
        "ingress": ["provider.payment.", "provider.refund.", "provider.dispute."],
        // Whole families, so a newer payouts' new payout.* types are acknowledged and ignored, not refused.
        "payouts": ["payee.", "payout."],
    ])

    /// Who hears what payments publishes (DESIGN.md): tenancy to every service that keeps a copy, a
    /// payee's money to payouts, what happened to payments to notifications.
    static func routes(_ configuration: PaymentsConfiguration) -> EventRoutes {
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

    init(runtime: ServiceRuntime, configuration: PaymentsConfiguration, keyring: EncryptionKeyring) {
        let database = runtime.database
        let doorbell = Doorbell()
        let outbox = Outbox(schema: "payments", routes: Self.routes(configuration), doorbell: doorbell)
        let audit = AuditLog(schema: "payments")
        let events = TenancyEvents(outbox: outbox)
        let tenants = TenantStore(database: database, events: events, audit: audit)
        let connectors = ConnectorStore(database: database, keyring: keyring, events: events, audit: audit,
                                        environment: runtime.configuration.environment, publicIngressURL: configuration.publicIngressURL,
                                        providerTimeout: configuration.providerTimeout)
        let idempotency = IdempotencyStore(database: database, schema: "payments", retention: configuration.idempotencyRetention,
                                           lease: configuration.idempotencyLease)
        let adapters = PaymentProviderAdapters.make(
            httpClient: TenantURLClient(runtime.httpClient, policy: .forEnvironment(runtime.configuration.environment)),
            razorpayCheckoutURLTemplate: configuration.razorpayCheckoutURLTemplate ?? RazorpayCheckoutURL.sandboxTemplate)
        let gateway = ProviderGateway(adapters: adapters,
                                      breakers: CircuitBreakers(failureThreshold: configuration.breakerFailures,
                                                                openDuration: configuration.breakerOpen),
                                      maxAttempts: configuration.providerMaxAttempts, metrics: ProviderMetrics(registry: runtime.metrics))
        let core = PaymentsCore(database: database, gateway: gateway, connectors: connectors, idempotency: idempotency, outbox: outbox,
                                audit: audit, logger: runtime.logger)
        let authenticator = APIKeyAuthenticator(database: database, source: .owner(schema: "payments"), failures: runtime.authFailures)
        let parkedDoorbell = Doorbell()
        let captureDoorbell = Doorbell()

        let router = Router()
        let tenantIdempotency = IdempotencyMiddleware(store: idempotency, required: false) { context in
            guard let key = context[AuthenticatedKeyContext.self] else { return nil }
            // Per tenant and mode: a test key's Idempotency-Key never replays a live answer.
            return ("tenant:" + key.tenantID + (key.livemode ? ":live" : ":test"), key.tenantID)
        }
        let v1 = router.group("/v1", admission: [authenticator], middleware: [tenantIdempotency])
        PaymentRoutes.register(on: v1, payments: PaymentService(core: core), refunds: RefundService(core: core))
        TenantRoutes.register(on: v1, tenants: tenants, connectors: connectors, database: database)
        let operatorIdempotency = IdempotencyMiddleware(store: idempotency, required: false) { context in
            ("operator:" + (context.adminPrincipal?.name ?? "unknown"), "platform")
        }
        let admin = router.group("/admin", admission: [runtime.adminAuthentication], middleware: [operatorIdempotency])
        OperatorRoutes.register(on: admin, tenants: tenants, connectors: connectors, authenticator: authenticator,
                                parked: ParkedItemStore(database: database), livemode: LivemodeStore(database: database))
        AuditRoutes.register(on: router, runtime: runtime, schema: "payments")
        let snapshots = TenancySnapshotSource(database: database)
        let snapshotReaders = runtime.internalAuthentication.only(["ingress", "payouts", "notifications", "monitoring"])
        router.get("/internal/snapshot/tenants", admission: [snapshotReaders], middleware: [snapshotReaders]) { _, _ in
            let snapshot = try await snapshots.snapshot()
            return .json(.ok, bytes: Array(try JSONCoding.makeEncoder().encode(snapshot)))
        }
        let tenancyChanges = TenancyChangesSource(database: database)
        router.get("/internal/tenancy/changes", admission: [snapshotReaders], middleware: [snapshotReaders]) { request, _ in
            var since: Date?
            if let text = request.queryParameters["since"] {
                guard let parsed = Timestamp.parse(text) else {
                    throw HTTPError.badRequest("since must be an RFC 3339 time.", code: "invalid_parameter", param: "since")
                }
                since = parsed
            }
            return .json(.ok, bytes: Array(try JSONCoding.makeEncoder().encode(try await tenancyChanges.changes(since: since))))
        }
        router.get("/openapi.json") { _, _ in
            HTTPResponse.json(.ok, bytes: Array(PaymentsOpenAPI.document.utf8), headers: ["Cache-Control": "public, max-age=300"])
        }
        InternalEventsEndpoint(schema: "payments", database: database,
                               consumer: PaymentsEventConsumer(outbox: outbox, confirmations: parkedDoorbell,
                                                                              captures: captureDoorbell),
                               senders: Self.senders, metrics: runtime.metrics)
            .register(on: router, authentication: runtime.internalAuthentication)
        server = runtime.makeServer(router: router)
        relay = OutboxRelay(table: .outbox(schema: "payments"), subscribers: Self.routes(configuration).subscribers, doorbell: doorbell,
                            runtime: runtime, configuration: configuration.outbox)
        let resolver = PaymentResolver(core: core, quietPeriod: configuration.resolverQuietPeriod, interval: configuration.resolverInterval)
        scheduler = JobScheduler(schema: "payments", database: database, jobs: [
            resolver.job,
            ScheduledJob(name: "purge-idempotency-keys", interval: .seconds(3600)) {
                let purged = try await idempotency.purgeExpired()
                if purged > 0 { runtime.logger.info("purged expired idempotency keys", ["count": .int(Int64(purged))]) }
            },
        ], logger: runtime.logger, poll: min(.seconds(5), configuration.resolverInterval))
        auditSealer = AuditSealer(auditLog: audit, runtime: runtime)
        autoCapture = AutoCaptureWorker(core: core, doorbell: captureDoorbell)
        livemodeBackfill = LivemodeBackfill(database: database, outbox: outbox, client: runtime.internalClient,
                                            payoutsURL: configuration.payoutsURL, logger: runtime.logger)
        parkedEvents = ParkedEventsWorker(database: database, outbox: outbox, gateway: gateway, connectors: connectors, doorbell: parkedDoorbell,
                                          logger: runtime.logger)
    }
}
