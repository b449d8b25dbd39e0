import Foundation
import HTTP
import Postgres
import Shared

/// What a Coffer service has, built one way: a router with the tenant API (`/v1`, API keys checked
/// before the body, `Idempotency-Key` per tenant and mode), the operator API (`/admin`, operator tokens,
/// audit verification), the inbox (`/internal/events`), an outbox and its relay, an audit log and its
/// sealer, stored idempotency answers and their purge, a job scheduler, background loops, and the two
/// listeners. A service declares what it has and adds its own routes, loops and jobs; `services`
/// returns everything to run.
public final class ServiceScaffold {
    public let runtime: ServiceRuntime
    public let router = Router()
    public let schema: String
    public let outbox: Outbox?
    public let audit: AuditLog?
    public let idempotency: IdempotencyStore?
    public let work: UnitOfWork
    private let relayConfiguration: OutboxRelayConfiguration
    private var loops: [any Service] = []
    private var jobs: [ScheduledJob] = []
    private var schedulerPoll: Duration = .seconds(5)

    /// `events` routes what the service publishes (nil: it publishes nothing); `audited` gives it an
    /// audit chain; `idempotency` (retention, lease) stores answers to `Idempotency-Key` requests.
    public init(
        runtime: ServiceRuntime, schema: String, events: EventRoutes?, relay: OutboxRelayConfiguration, audited: Bool,
        idempotency: (retention: Duration, lease: Duration)?
    ) {
        self.runtime = runtime
        self.schema = schema
        relayConfiguration = relay
        outbox = events.map { Outbox(schema: schema, routes: $0, doorbell: Doorbell()) }
        audit = audited ? AuditLog(schema: schema) : nil
        self.idempotency = idempotency.map {
            IdempotencyStore(database: runtime.database, schema: schema, retention: $0.retention, lease: $0.lease)
        }
        work = UnitOfWork(
            database: runtime.database, outbox: outbox, audit: audit, idempotency: self.idempotency,
            source: runtime.identity.name)
        if let store = self.idempotency {
            let logger = runtime.logger
            jobs.append(
                ScheduledJob(name: "purge-idempotency-keys", interval: .seconds(3600)) {
                    let purged = try await store.purgeExpired()
                    if purged > 0 { logger.info("purged expired idempotency keys", ["count": .int(Int64(purged))]) }
                })
        }
    }

    /// `/v1`: the tenant API behind `authenticator`; a test key's `Idempotency-Key` never replays a live answer.
    public func tenantAPI(_ authenticator: APIKeyAuthenticator) -> RouterGroup {
        var middleware: [any HTTPMiddleware] = []
        if let idempotency {
            middleware.append(
                IdempotencyMiddleware(store: idempotency) { context in
                    guard let key = context[AuthenticatedKeyContext.self] else { return nil }
                    return ("tenant:" + key.tenantID + (key.livemode ? ":live" : ":test"), key.tenantID)
                })
        }
        return router.group("/v1", admission: [authenticator], middleware: middleware)
    }

    /// `/admin`: the operator API (internal listener), keys scoped to the operator; with an audit chain,
    /// `GET /admin/audit/verify` too.
    public func operatorAPI() -> RouterGroup {
        var middleware: [any HTTPMiddleware] = []
        if let idempotency {
            middleware.append(
                IdempotencyMiddleware(store: idempotency) { context in
                    ("operator:" + (context.adminPrincipal?.name ?? "unknown"), "platform")
                })
        }
        if audit != nil { AuditRoutes.register(on: router, runtime: runtime, schema: schema) }
        return router.group("/admin", admission: [runtime.adminAuthentication], middleware: middleware)
    }

    /// `GET /openapi.json`: the service's API document, compiled in from `openapi/<service>.json`.
    public func serveAPIDocument(_ document: String) {
        let bytes = Array(document.utf8)
        router.get("/openapi.json") { _, _ in
            HTTPResponse.json(.ok, bytes: bytes, headers: ["Cache-Control": "public, max-age=300"])
        }
    }

    /// `POST /internal/events`: what other services tell this one, from the senders allowed to say it.
    public func receiveEvents(_ consumer: any EventConsumer, senders: EventSenders) {
        InternalEventsEndpoint(
            schema: schema, work: work, consumer: consumer, senders: senders, metrics: runtime.metrics
        )
        .register(on: router, authentication: runtime.internalAuthentication)
    }

    /// A background loop (stopped on shutdown).
    public func add(_ loop: any Service) { loops.append(loop) }

    /// A job that runs every `interval` in one replica.
    public func schedule(_ job: ScheduledJob) { jobs.append(job) }

    /// How often the scheduler looks for due jobs (default 5 s).
    public func schedulerPolls(every poll: Duration) { schedulerPoll = min(schedulerPoll, poll) }

    /// Everything to run, the listeners last (they start taking requests once the rest is up).
    public func services() -> [any Service] {
        var services: [any Service] = []
        if let outbox {
            services.append(
                OutboxRelay(
                    table: .outbox(schema: schema), subscribers: outbox.routes.subscribers, doorbell: outbox.doorbell,
                    runtime: runtime, configuration: relayConfiguration))
        }
        if !jobs.isEmpty {
            services.append(
                JobScheduler(
                    schema: schema, database: runtime.database, jobs: jobs, logger: runtime.logger, poll: schedulerPoll)
            )
        }
        if let audit { services.append(AuditSealer(auditLog: audit, runtime: runtime)) }
        services += loops
        services.append(runtime.makeServer(router: router))
        return services
    }
}
