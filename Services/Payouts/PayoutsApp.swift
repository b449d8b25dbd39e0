import Foundation
import HTTP
import Platform
import ProviderKit
import Postgres
import Shared

/// Payouts' parts, built from its runtime and configuration.
struct PayoutsApp: Sendable {
    let server: ServiceListeners
    let relay: OutboxRelay
    let scheduler: JobScheduler
    let auditSealer: AuditSealer
    let workers: [PayoutWorker]
    let snapshotLoader: TenancySnapshotLoader
    let freshness: TenancyFreshness

    var services: [any Service] { [relay, scheduler, auditSealer, freshness] + workers.map { $0 as any Service } + [server] }

    static let replica = TenancyReplica(schema: "payouts")

    /// Who may tell payouts what: payments its tenancy and the payee money its ledger books; ingress
    /// what providers report about payouts. Nothing else, from nobody else.
    static let senders = EventSenders([
        "payments": ["tenant.", "api_key.", "connector.", MoneyEventType.payeeCredited, MoneyEventType.payeeDebited,
                     MoneyEventType.payeeLivemodeConflict],
        "ingress": ["provider.payout."],
    ])

    /// Who hears what payouts publishes: payments books payees and settled payouts in its ledger;
    /// notifications tells people what happened to their payouts.
    static func routes(_ configuration: PayoutsConfiguration) -> EventRoutes {
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

    init(runtime: ServiceRuntime, configuration: PayoutsConfiguration, keyring: EncryptionKeyring) {
        let database = runtime.database
        let doorbell = Doorbell()
        let routes = Self.routes(configuration)
        let outbox = Outbox(schema: "payouts", routes: routes, doorbell: doorbell)
        let audit = AuditLog(schema: "payouts")
        let idempotency = IdempotencyStore(database: database, schema: "payouts", retention: configuration.idempotencyRetention,
                                           lease: configuration.idempotencyLease)
        let core = PayoutsCore(database: database, vault: DestinationVault(keyring: keyring), outbox: outbox, audit: audit,
                               idempotency: idempotency, configuration: configuration, logger: runtime.logger, queueBell: Doorbell())
        let adapters = PayoutProviderAdapters.make(
            httpClient: TenantURLClient(runtime.httpClient, policy: .forEnvironment(runtime.configuration.environment)))
        let connectors = PayoutConnectors(database: database, keyring: keyring, adapters: adapters, timeout: configuration.providerTimeout)
        let authenticator = APIKeyAuthenticator(database: database, source: .replica(schema: "payouts"), failures: runtime.authFailures)
        let payouts = PayoutService(core: core)
        let reconciler = PayoutReconciler(core: core, connectors: connectors)
        let balanceSync = ProviderBalanceSync(core: core, connectors: connectors)

        let router = Router()
        let tenantIdempotency = IdempotencyMiddleware(store: idempotency, required: false) { context in
            guard let key = context[AuthenticatedKeyContext.self] else { return nil }
            // Per tenant and mode: a test key's Idempotency-Key never replays a live answer.
            return ("tenant:" + key.tenantID + (key.livemode ? ":live" : ":test"), key.tenantID)
        }
        // Revocations and suspensions reach this copy within TENANCY_MAX_STALENESS even if an event is
        // stuck; money-out requests are refused while it cannot be confirmed.
        let freshness = TenancyFreshness(replica: Self.replica, database: database, client: runtime.internalClient,
                                     paymentsURL: configuration.paymentsURL, maxStaleness: runtime.configuration.tenancyMaxStaleness,
                                     logger: runtime.logger, metrics: runtime.metrics, onChange: { authenticator.invalidate() })
        let v1 = router.group("/v1", admission: [authenticator], middleware: [tenantIdempotency])
        let dryRuns = TokenBucketLimiter(capacity: configuration.dryRunsPerMinute, refillPerSecond: 1)
        PayoutRoutes.register(on: v1, payees: PayeeStore(core: core), payouts: payouts, freshness: freshness,
                              batches: BatchService(core: core, payouts: payouts, dryRuns: dryRuns, freshness: freshness))
        let operatorIdempotency = IdempotencyMiddleware(store: idempotency, required: false) { context in
            ("operator:" + (context.adminPrincipal?.name ?? "unknown"), "platform")
        }
        let admin = router.group("/admin", admission: [runtime.adminAuthentication], middleware: [operatorIdempotency])
        PayoutOperatorRoutes.register(on: admin, core: core, reconciler: reconciler, balanceSync: balanceSync)
        AuditRoutes.register(on: router, runtime: runtime, schema: "payouts")
        let snapshotReaders = runtime.internalAuthentication.only(["payments"])
        router.get("/internal/snapshot/payees", admission: [snapshotReaders], middleware: [snapshotReaders]) { _, _ in
            .json(.ok, bytes: try await PayeeSnapshot(database: database).snapshot().serialized())
        }
        // The mode of payouts payments' ledger rows name (the livemode backfill, for destination checks).
        router.get("/internal/payouts/modes", admission: [snapshotReaders], middleware: [snapshotReaders]) { request, _ in
            let ids = (request.queryParameters["ids"] ?? "").split(separator: ",").map(String.init)
                .filter { CofferID.isValid($0, prefix: .payout) }.prefix(1000)
            let modes = try await database.platformTransaction { connection in
                try await connection.query("SELECT id, livemode FROM payouts.payouts WHERE id = ANY(\(array: Array(ids)))").map { row -> JSONValue in
                    let (id, livemode) = try row.decode((String, Bool).self)
                    return ["id": .string(id), "livemode": .bool(livemode)]
                }
            }
            return .json(.ok, bytes: JSONValue.object(["payouts": .array(modes)]).serialized())
        }
        InternalEventsEndpoint(schema: "payouts", database: database,
                               consumer: PayoutsEventConsumer(replica: Self.replica, connectors: connectors, outbox: outbox),
                               senders: Self.senders, metrics: runtime.metrics)
            .register(on: router, authentication: runtime.internalAuthentication)
        server = runtime.makeServer(router: router)
        relay = OutboxRelay(table: .outbox(schema: "payouts"), subscribers: routes.subscribers, doorbell: doorbell,
                            runtime: runtime, configuration: configuration.outbox)
        self.freshness = freshness
        scheduler = JobScheduler(schema: "payouts", database: database, jobs: [
            ScheduledJob(name: "reconcile-payouts", interval: configuration.reconciliationInterval) { try await reconciler.run() },
            ScheduledJob(name: "sync-provider-balances", interval: configuration.balanceSyncInterval) { try await balanceSync.run() },
            ScheduledJob(name: "purge-idempotency-keys", interval: .seconds(3600)) {
                let purged = try await idempotency.purgeExpired()
                if purged > 0 { runtime.logger.info("purged expired idempotency keys", ["count": .int(Int64(purged))]) }
            },
        ], logger: runtime.logger, poll: .seconds(5))
        auditSealer = AuditSealer(auditLog: audit, runtime: runtime)
        let metrics = PayoutMetrics(registry: runtime.metrics)
        workers = (0..<configuration.workers).map { PayoutWorker(index: $0, core: core, connectors: connectors, metrics: metrics) }
        snapshotLoader = TenancySnapshotLoader(replica: Self.replica, database: database, client: runtime.internalClient,
                                               paymentsURL: configuration.paymentsURL, logger: runtime.logger,
                                               onLoaded: { connectors.invalidateAll() })
    }
}

/// `GET /internal/snapshot/payees`: every payee as `payee.upserted` carries it, for a consumer that
/// starts empty (DESIGN.md).
struct PayeeSnapshot: Sendable {
    let database: PostgresPool

    func snapshot() async throws -> JSONValue {
        let payees = try await database.platformTransaction { connection in
            try await connection.query("""
                SELECT id, tenant_id, livemode, recruiter_payee_id, status, version FROM payouts.payees ORDER BY tenant_id, id
                """).map { row -> JSONValue in
                let (id, tenantID, livemode, recruiter, status, version) = try row.decode((String, String, Bool, String?, String, Int64).self)
                return ["payee_id": .string(id), "tenant_id": .string(tenantID), "livemode": .bool(livemode),
                        "recruiter_payee_id": recruiter.map(JSONValue.string) ?? .null, "status": .string(status), "version": .int(version)]
            }
        }
        return ["payees": .array(payees)]
    }
}
