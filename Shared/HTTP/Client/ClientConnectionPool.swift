/// Keep-alive connections to one `host:port` on one loop. Idle connections are reused newest first
/// and closed after `idleTimeout` (shorter than a server's usual keep-alive, to avoid reusing a
/// connection the server is closing); requests beyond `maxConnections` wait in order.
final class ClientConnectionPool {
    let key: String
    let loop: EventLoop
    private let addresses: [SocketAddress]
    private let maxConnections: Int
    private let idleTimeout: Duration
    private var idle: [ClientConnection] = []
    private var waiting: [PendingClientRequest] = []
    private var openCount = 0
    private var nextAddress = 0

    init(key: String, loop: EventLoop, addresses: [SocketAddress], maxConnections: Int, idleTimeout: Duration) {
        self.key = key
        self.loop = loop
        self.addresses = addresses
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }

    func submit(_ request: PendingClientRequest, timeout: Duration) {
        request.timer = loop.scheduleTimer(after: timeout) { [weak self, weak request] in
            guard let self, let request, !request.isFinished else { return }
            request.timer = nil
            self.timedOut(request)
        }
        dispatch(request)
    }

    private func dispatch(_ request: PendingClientRequest) {
        while let connection = idle.popLast() {
            if let timer = connection.idleTimer { loop.cancelTimer(timer) }
            connection.idleTimer = nil
            guard connection.state == .idle else { continue }
            connection.assign(request)
            return
        }
        if openCount < maxConnections {
            open(for: request)
        } else {
            waiting.append(request)
        }
    }

    private func open(for request: PendingClientRequest) {
        let address = addresses[nextAddress % addresses.count]
        nextAddress &+= 1
        do {
            let (fd, inProgress) = try Socket.connect(to: address)
            do {
                let connection = try ClientConnection(fd: fd, pool: self, connected: !inProgress)
                openCount += 1
                connection.assign(request)
            } catch {
                Glibc.close(fd)
                throw error
            }
        } catch {
            cancelTimer(of: request)
            request.fail(HTTPClientError(.connectFailed, target: key, detail: String(describing: error)))
        }
    }

    func release(_ connection: ClientConnection) {
        if !waiting.isEmpty {
            connection.assign(waiting.removeFirst())
            return
        }
        idle.append(connection)
        connection.idleTimer = loop.scheduleTimer(after: idleTimeout) { [weak connection] in
            connection?.idleTimer = nil
            connection?.close()
        }
    }

    func connectionClosed(_ connection: ClientConnection) {
        openCount -= 1
        if let timer = connection.idleTimer { loop.cancelTimer(timer) }
        idle.removeAll { $0 === connection }
        if !waiting.isEmpty, openCount < maxConnections { open(for: waiting.removeFirst()) }
    }

    func cancelTimer(of request: PendingClientRequest) {
        if let timer = request.timer { loop.cancelTimer(timer) }
        request.timer = nil
    }

    private func timedOut(_ request: PendingClientRequest) {
        if let index = waiting.firstIndex(where: { $0 === request }) {
            waiting.remove(at: index)
        }
        request.fail(HTTPClientError(.timeout, target: key))
        // A connection still carrying it would deliver a late answer out of step: close it.
        request.connection?.close()
    }
}

#if canImport(Glibc)
    import Glibc
#endif
