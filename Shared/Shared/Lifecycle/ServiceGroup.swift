import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a process's services together. On SIGTERM/SIGINT, or when any service fails, it asks every
/// service to shut down in reverse order of registration (so the HTTP server stops accepting before
/// the workers it feeds stop), waits up to `gracePeriod`, and returns. A second signal exits at once.
public final class ServiceGroup: Sendable {
    private let services: [any Service]
    private let logger: Logger
    private let gracePeriod: Duration
    private let shuttingDown = Mutex(false)
    private let signalCount = Atomic<Int>(0)

    public init(services: [any Service], logger: Logger, gracePeriod: Duration = .seconds(25)) {
        self.services = services
        self.logger = logger
        self.gracePeriod = gracePeriod
    }

    /// Runs until every service has returned. Throws the first service error, after shutting the rest down.
    public func run(handleSignals: Bool = true) async throws {
        let watcher: SignalWatcher? =
            handleSignals
            ? SignalWatcher { [self] name in
                if signalCount.wrappingAdd(1, ordering: .relaxed).newValue > 1 {
                    logger.warning("second signal: exiting now", ["signal": .string(name)])
                    logger.sink.flush()
                    _exit(1)
                }
                logger.notice("shutdown requested", ["signal": .string(name)])
                Task { await self.shutdown() }
            } : nil
        defer { watcher?.cancel() }

        var firstError: (any Error)?
        await withTaskGroup(of: (String, (any Error)?).self) { group in
            for service in services {
                group.addTask {
                    do {
                        try await service.run()
                        return (service.name, nil)
                    } catch {
                        return (service.name, error)
                    }
                }
            }
            for await (name, error) in group {
                if let error {
                    logger.error(
                        "service failed", ["component": .string(name), "error": .string(String(describing: error))])
                    if firstError == nil { firstError = error }
                }
                // Any service ending (failed or not) while we are not shutting down ends the process.
                if !isShuttingDown {
                    Task { await self.shutdown() }
                }
            }
        }
        logger.notice("stopped")
        logger.sink.flush()
        if let firstError { throw firstError }
    }

    public var isShuttingDown: Bool { shuttingDown.withLock { $0 } }

    /// Stops services in reverse order; a service that does not return within the grace period is abandoned.
    public func shutdown() async {
        let first = shuttingDown.withLock { flag -> Bool in
            defer { flag = true }
            return !flag
        }
        guard first else { return }
        let deadline = ContinuousClock.now + gracePeriod
        for service in services.reversed() {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                logger.warning("grace period over; abandoning service", ["component": .string(service.name)])
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await service.shutdown() }
                group.addTask { try? await Task.sleep(for: remaining) }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }
}
