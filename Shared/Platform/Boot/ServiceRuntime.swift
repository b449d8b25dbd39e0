import Foundation
import HTTP
import Postgres
import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// Everything a service process shares: configuration, logger, metrics, database pool, the signed
/// HTTP client for internal calls, readiness checks. `main` is short because this does the rest:
/// read configuration (exit 78 listing every problem), migrate the service's own schema, serve the
/// operational routes, run the service's parts together, and drain on SIGTERM.
public final class ServiceRuntime: Sendable {
    public let identity: ServiceIdentity
    public let configuration: CommonConfiguration
    public let logger: Logger
    public let metrics: MetricsRegistry
    public let database: PostgresPool
    public let signer: InternalRequestSigner
    public let httpClient: CofferHTTPClient
    public let readiness = ReadinessChecks()
    /// Failed API-key and operator-token authentications per client address.
    public let authFailures: AuthFailureLimiter

    public init(identity: ServiceIdentity, configuration: CommonConfiguration) {
        self.identity = identity
        self.configuration = configuration
        let sink = configuration.logFile.map(LogSink.file(path:)) ?? .standardOutput
        logger = Logger(service: identity.name, minimumLevel: configuration.logLevel, sink: sink)
        metrics = MetricsRegistry()
        database = PostgresPool(
            configuration: PostgresConfiguration(
                url: configuration.databaseURL, poolSize: configuration.databasePoolSize,
                applicationName: "coffer-\(identity.name)"),
            logger: logger)
        signer = InternalRequestSigner(service: identity.name, secrets: configuration.internalSecrets)
        authFailures = AuthFailureLimiter(
            perMinute: configuration.authFailuresPerMinute, burst: configuration.authFailuresBurst,
            metrics: metrics)
        httpClient = CofferHTTPClient(logger: logger)
        ProcessMetrics.register(in: metrics, pool: database, logSink: sink, serviceName: identity.name)
    }

    /// Reads the common configuration and the service's own; on any problem prints them all and exits 78.
    public static func configure<Extra>(
        _ identity: ServiceIdentity, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ readExtra: (inout ConfigReader, CommonConfiguration) -> Extra
    ) -> (CommonConfiguration, Extra) {
        var reader = ConfigReader(service: identity.name, environment: environment)
        let common = CommonConfiguration(reader: &reader, defaultPort: identity.defaultPort)
        let extra = readExtra(&reader, common)
        do {
            try reader.finish()
        } catch {
            FileHandle.standardError.write(Data(error.description.utf8))
            exit(ConfigError.exitCode)
        }
        return (common, extra)
    }

    /// Applies this service's migrations as the schema owner and grants the runtime role what it needs.
    /// Waits for the database (up to `DATABASE_STARTUP_TIMEOUT`) so services can start before it; a
    /// changed applied migration stops start-up at once.
    public func migrate() async throws {
        guard let ownerURL = configuration.databaseOwnerURL else {
            throw MigrationsPending(message: "DATABASE_OWNER_URL is not set")
        }
        let ownerPool = PostgresPool(
            configuration: PostgresConfiguration(
                url: ownerURL, poolSize: 2,
                applicationName: "coffer-\(identity.name)-migrate"),
            logger: logger)
        defer { Task { await ownerPool.shutdown() } }
        let deadline = ContinuousClock.now + configuration.databaseStartupTimeout
        var attempt = 0
        while true {
            attempt += 1
            do {
                let runtimeRole = try await database.query("SELECT current_user").first?.decode(String.self, at: 0)
                let ownerRole = try await ownerPool.query("SELECT current_user").first?.decode(String.self, at: 0)
                let migrator = Migrator(
                    pool: ownerPool, schema: identity.schema, migrations: identity.migrations, logger: logger)
                // The platform role is switched to for cross-tenant transactions: it needs the same grants.
                let grantees = (runtimeRole == ownerRole ? [] : [runtimeRole].compactMap { $0 }) + [PlatformRole.name]
                let applied = try await migrator.migrate(grantTo: grantees)
                logger.info(
                    "migrations applied",
                    [
                        "schema": .string(identity.schema), "applied": .int(Int64(applied.count)),
                        "latest": .int(Int64(identity.migrations.last?.version ?? 0)),
                    ])
                return
            } catch let error as PostgresError where error.isConnectionError && ContinuousClock.now < deadline {
                logger.warning("database not reachable yet; retrying", ["attempt": .int(Int64(attempt))])
                try await Task.sleep(for: .milliseconds(min(2000, 200 * attempt)))
            } catch let error as MigrationError {
                if let underlying = error.underlying, underlying.isConnectionError, ContinuousClock.now < deadline {
                    logger.warning("database not reachable yet; retrying", ["attempt": .int(Int64(attempt))])
                    try await Task.sleep(for: .milliseconds(min(2000, 200 * attempt)))
                    continue
                }
                throw error
            }
        }
    }

    /// The public and internal listeners for `router`, with the operational routes added: `/internal/*`,
    /// `/admin/*` and `/metrics` are served only on `INTERNAL_PORT`, everything else only on `PORT`.
    public func makeServer(router: Router) -> ServiceListeners {
        OperationalRoutes.add(to: router, runtime: self)
        let publicResponder = RouterResponder(
            router: router, logger: logger, metrics: metrics, trustedProxies: configuration.trustedProxies,
            accessLog: configuration.accessLog, serving: { !ServiceListeners.isInternal($0) })
        let internalResponder = RouterResponder(
            router: router, logger: logger, metrics: metrics, trustedProxies: configuration.trustedProxies,
            accessLog: configuration.accessLog,
            serving: { ServiceListeners.isInternal($0) || ServiceListeners.isOperational($0) })
        return ServiceListeners(
            publicServer: HTTPServer(
                configuration: configuration.http, responder: publicResponder, logger: logger, metrics: metrics,
                name: "http"),
            internalServer: HTTPServer(
                configuration: configuration.internalHTTP, responder: internalResponder, logger: logger,
                metrics: metrics, name: "http-internal"))
    }

    /// Admission and middleware for `/internal/…` routes (narrow it with `.only([...])`).
    public var internalAuthentication: InternalAuthenticator { InternalAuthenticator(signer: signer) }

    /// Admission for `/admin/…` routes.
    public var adminAuthentication: AdminAuthenticator {
        AdminAuthenticator(tokens: configuration.adminTokens, failures: authFailures)
    }

    /// Runs the services until SIGTERM/SIGINT, then drains them and closes the pool. Returns the exit code.
    public func run(_ services: [any Service]) async -> Int32 {
        logger.notice(
            "started",
            [
                "version": .string(CofferVersion.current), "commit": .string(configuration.buildCommit),
                "port": .int(Int64(configuration.http.port)),
                "internal_port": .int(Int64(configuration.internalHTTP.port)),
                "environment": .string(configuration.environment.rawValue),
            ])
        let group = ServiceGroup(
            services: services, logger: logger, gracePeriod: configuration.http.shutdownGracePeriod + .seconds(5))
        var code: Int32 = 0
        do {
            try await group.run()
        } catch {
            logger.critical("exiting after a failure", ["error": .string(String(describing: error))])
            code = 1
        }
        await database.shutdown()
        logger.sink.flush()
        return code
    }

    /// Boots a service: configuration, migrations, then `body` builds its parts. Exits on failure.
    public static func boot<Extra>(
        _ identity: ServiceIdentity, _ readExtra: (inout ConfigReader, CommonConfiguration) -> Extra
    ) async -> (ServiceRuntime, Extra) {
        let migrateOnly = CommandLine.arguments.dropFirst().contains("--migrate")
        if migrateOnly {
            // The migration job needs the database and nothing else: it never sees the master key,
            // provider settings or service secrets (only the common variables are read).
            let (common, _) = configure(identity) { _, _ in () }
            await ServiceRuntime(identity: identity, configuration: common).migrateAndExit()
        }
        let (common, extra) = configure(identity, readExtra)
        let runtime = ServiceRuntime(identity: identity, configuration: common)
        do {
            // The owner's credentials mean "migrate" (the migration job, a development machine);
            // without them the service waits for the schema a migration job brings up to date.
            if common.databaseOwnerURL != nil {
                try await runtime.migrate()
            } else {
                try await runtime.waitForMigrations()
            }
        } catch {
            runtime.logger.critical("cannot start: migrations failed", ["error": .string(String(describing: error))])
            FileHandle.standardError.write(Data("\(identity.name): \(error)\n".utf8))
            runtime.logger.sink.flush()
            exit(1)
        }
        await runtime.checkRuntimeRole()
        return (runtime, extra)
    }

    /// `coffer-<service> --migrate`: applies the migrations as the owner, grants the runtime and
    /// platform roles, and exits (0, or 1 when they fail).
    func migrateAndExit() async -> Never {
        do {
            try await migrate()
        } catch {
            logger.critical("migrations failed", ["error": .string(String(describing: error))])
            FileHandle.standardError.write(Data("\(identity.name): \(error)\n".utf8))
            logger.sink.flush()
            exit(1)
        }
        logger.notice("migrations applied; exiting (--migrate)")
        logger.sink.flush()
        exit(0)
    }
}
