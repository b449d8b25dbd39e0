import CSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The server's state on one event loop: its listener and its connections. Confined to that loop.
final class ServerLoop: @unchecked Sendable {
    // @unchecked: every property is used only on `loop`'s thread (entered through `loop.execute`).
    let loop: EventLoop
    /// Strong (a cycle with the server's list of loops, broken when the server shuts down).
    let server: HTTPServer
    private var listener: HTTPListener?
    private var connections: [Int32: HTTPConnection] = [:]
    private var sweepTimer: UInt64?
    var dateCache = HTTPDateCache()
    private(set) var closed = false

    init(loop: EventLoop, server: HTTPServer) {
        self.loop = loop
        self.server = server
    }

    func listen(fd: Int32) throws {
        let listener = HTTPListener(fd: fd, serverLoop: self)
        try loop.register(fd, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, handler: listener)
        self.listener = listener
    }

    func adopt(_ fd: Int32, address: SocketAddress?) {
        guard !closed, server.admitConnection() else {
            server.metrics.rejectedConnections.increment()
            Glibc.close(fd)
            return
        }
        Socket.setNoDelay(fd)
        let connection = HTTPConnection(fd: fd, serverLoop: self, peerAddress: address?.ipAddress ?? "unknown")
        do {
            try connection.start()
        } catch {
            server.releaseConnection()
            Glibc.close(fd)
            return
        }
        connections[fd] = connection
        server.metrics.openConnections.increment()
        scheduleSweep()
    }

    func connectionClosed(_ connection: HTTPConnection) {
        guard connections.removeValue(forKey: connection.fd) != nil else { return }
        server.metrics.openConnections.decrement()
        server.releaseConnection()
    }

    /// Deadlines are checked by a sweep every 250 ms while there are connections, and not at all
    /// when there are none, so an idle server does not wake up.
    private func scheduleSweep() {
        guard sweepTimer == nil, !connections.isEmpty else { return }
        sweepTimer = loop.scheduleTimer(after: .milliseconds(250)) { [self] in
            sweepTimer = nil
            let now = MonotonicClock.nanoseconds()
            for connection in Array(connections.values) { connection.checkDeadline(now: now) }
            scheduleSweep()
        }
    }

    /// Stops accepting and asks connections to close once their current request is answered.
    func beginDrain() {
        closed = true
        listener?.close(closingSocket: false)
        listener = nil
        for connection in Array(connections.values) { connection.drain() }
    }

    func closeAll() {
        for connection in Array(connections.values) { connection.close() }
        if let sweepTimer { loop.cancelTimer(sweepTimer) }
        sweepTimer = nil
    }
}
