import Shared
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Coffer's HTTP/1.1 server: non-blocking sockets on epoll event loops, one listening socket per loop
/// (SO_REUSEPORT), limits and deadlines from `HTTPServerConfiguration`, graceful drain on shutdown.
public final class HTTPServer: Service, Sendable {
    public let name: String
    public let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    let metrics: HTTPServerMetrics
    private let group: EventLoopGroup
    private let serverLoops = Mutex<[ServerLoop]>([])
    private let connectionCount = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    private let boundPort = Atomic<Int>(0)
    private let listeningSocket = Atomic<Int>(-1)
    private let stopWaiters = Mutex<(stopped: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init(
        configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
        metrics: MetricsRegistry, group: EventLoopGroup = .shared, name: String = "http-server"
    ) {
        self.name = name
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.metrics = HTTPServerMetrics(registry: metrics)
        self.group = group
    }

    /// The port actually bound (useful when configured with port 0).
    public var port: Int { boundPort.load(ordering: .acquiring) }
    public var openConnections: Int { connectionCount.load(ordering: .relaxed) }
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }
    var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Binds one listening socket per loop and starts accepting. Returns once listening.
    public func start() async throws {
        let addresses = try SocketAddress.resolve(host: configuration.host, port: configuration.port, passive: true)
        guard let address = addresses.first else {
            throw ResolutionError(host: configuration.host, message: "no address")
        }
        // One listening socket watched by every loop (EPOLLEXCLUSIVE wakes one loop per connection).
        // Not SO_REUSEPORT: that would let a second process bind the same port and silently take
        // half the traffic.
        let listenFD = try Socket.listen(on: address, backlog: configuration.backlog, reusePort: false)
        if let local = Socket.localAddress(listenFD) { boundPort.store(local.port, ordering: .releasing) }
        listeningSocket.store(Int(listenFD), ordering: .releasing)
        let fds = Array(repeating: listenFD, count: group.loops.count)
        var created: [ServerLoop] = []
        for (loop, fd) in zip(group.loops, fds) {
            let serverLoop = ServerLoop(loop: loop, server: self)
            created.append(serverLoop)
            let transfer = UnsafeTransfer(serverLoop)
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                loop.execute {
                    do {
                        try transfer.value.listen(fd: fd)
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        }
        serverLoops.withLock { $0 = created }
        logger.info(
            "listening",
            [
                "address": .string(configuration.host), "port": .int(Int64(port)),
                "event_loops": .int(Int64(group.loops.count)),
            ])
    }

    /// Starts (if needed) and returns after `shutdown()` has drained the server.
    public func run() async throws {
        if serverLoops.withLock({ $0.isEmpty }) { try await start() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = stopWaiters.withLock { state -> Bool in
                if state.stopped { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Stops accepting, lets in-flight requests finish (up to the grace period), then closes everything.
    public func shutdown() async {
        guard !draining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let loops = serverLoops.withLock { $0 }
        logger.info(
            "draining", ["open_connections": .int(Int64(openConnections)), "in_flight": .int(Int64(requestsInFlight))])
        for serverLoop in loops {
            let transfer = UnsafeTransfer(serverLoop)
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                serverLoop.loop.execute {
                    transfer.value.beginDrain()
                    continuation.resume()
                }
            }
        }
        // Every loop has stopped watching the listening socket: close it so the port is free.
        let listenFD = listeningSocket.exchange(-1, ordering: .acquiringAndReleasing)
        if listenFD >= 0 { close(Int32(listenFD)) }
        let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
        while openConnections > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if openConnections > 0 {
            logger.warning(
                "grace period over; closing remaining connections", ["open_connections": .int(Int64(openConnections))])
        }
        for serverLoop in loops {
            let transfer = UnsafeTransfer(serverLoop)
            serverLoop.loop.execute { transfer.value.closeAll() }
        }
        serverLoops.withLock { $0 = [] }
        let waiters = stopWaiters.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopped = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private let nextLoop = Atomic<Int>(0)

    /// Hands an accepted connection to the next loop in turn (round-robin over the group).
    func distribute(_ fd: Int32, address: SocketAddress?, from acceptingLoop: ServerLoop) {
        let loops = serverLoops.withLock { $0 }
        guard !loops.isEmpty else {
            acceptingLoop.adopt(fd, address: address)
            return
        }
        let target = loops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
        if target === acceptingLoop {
            target.adopt(fd, address: address)
        } else {
            let transfer = UnsafeTransfer(target)
            target.loop.execute { transfer.value.adopt(fd, address: address) }
        }
    }

    // MARK: Admission (called from loops)

    func admitConnection() -> Bool {
        if connectionCount.wrappingAdd(1, ordering: .relaxed).newValue > configuration.maxConnections {
            connectionCount.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseConnection() { connectionCount.wrappingSubtract(1, ordering: .relaxed) }

    func beginRequest() -> Bool {
        if inFlight.wrappingAdd(1, ordering: .relaxed).newValue > configuration.maxInFlightRequests {
            inFlight.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func endRequest() { inFlight.wrappingSubtract(1, ordering: .relaxed) }
}
