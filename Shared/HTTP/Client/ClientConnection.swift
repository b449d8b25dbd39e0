import CSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One keep-alive connection of the client pool, confined to its loop. Carries one request at a
/// time; while idle it stays registered so a server-side close is noticed and the connection dropped
/// before it is reused.
final class ClientConnection: EventLoopSelectable {
    enum State { case connecting, busy, idle, closed }

    let fd: Int32
    /// Strong: an idle connection may outlive the client that opened it, until it closes.
    let pool: ClientConnectionPool
    private(set) var state: State = .connecting
    private var parser = HTTPResponseParser()
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var current: PendingClientRequest?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private(set) var servedRequests = 0
    var idleTimer: UInt64?

    private var loop: EventLoop { pool.loop }

    init(fd: Int32, pool: ClientConnectionPool, connected: Bool) throws {
        self.fd = fd
        self.pool = pool
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        try pool.loop.register(fd, events: events, handler: self)
        if connected { state = .busy }
    }

    func assign(_ request: PendingClientRequest) {
        current = request
        request.connection = self
        head = nil
        body = []
        outbound = request.bytes
        outboundOffset = 0
        parser.expectResponse(to: request.method)
        if state == .idle { state = .busy }
        if state == .busy { flush() }
    }

    func handleEvents(_ events: UInt32) {
        if state == .connecting {
            guard events & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 else { return }
            let code = Socket.pendingError(fd)
            if code != 0 || events & EPOLLERR.rawValue != 0 {
                fail(
                    HTTPClientError(
                        .connectFailed, target: pool.key,
                        detail: String(cString: strerror(code == 0 ? ECONNREFUSED : code))))
                return
            }
            state = .busy
        }
        if events & EPOLLOUT.rawValue != 0, state == .busy { flush() }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readAvailable()
        }
    }

    private func flush() {
        while outboundOffset < outbound.count {
            let result = outbound.withUnsafeBytes {
                Socket.write(fd, UnsafeRawBufferPointer(rebasing: $0[outboundOffset...]))
            }
            switch result {
            case .bytes(let count): outboundOffset += count
            case .wouldBlock: return
            case .closed, .failed:
                fail(HTTPClientError(.connectionClosed, target: pool.key, detail: "write failed"))
                return
            }
        }
        outbound = []
        outboundOffset = 0
    }

    private func readAvailable() {
        while state != .closed {
            let buffer = loop.readBuffer
            switch Socket.read(fd, into: buffer) {
            case .bytes(let count):
                if state == .idle {
                    // A server does not speak first; bytes on an idle connection mean it is unusable.
                    close()
                    return
                }
                parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                process()
            case .wouldBlock:
                return
            case .closed:
                if state == .busy, current != nil {
                    if let event = parser.connectionClosed() { handle(event) }
                    if current != nil {
                        fail(HTTPClientError(.connectionClosed, target: pool.key, detail: "closed before the response"))
                    }
                }
                close()
                return
            case .failed(let code):
                fail(HTTPClientError(.connectionClosed, target: pool.key, detail: String(cString: strerror(code))))
                return
            }
        }
    }

    private func process() {
        while state == .busy, current != nil {
            let event = parser.next()
            if case .needMoreData = event { return }
            handle(event)
        }
    }

    private func handle(_ event: HTTPResponseParser.Event) {
        switch event {
        case .head(let responseHead):
            head = responseHead
        case .body(let bytes):
            if let request = current, body.count + bytes.count > request.maxResponseBytes {
                // Stop reading at once: the rest is never buffered, and the connection cannot be reused.
                fail(
                    HTTPClientError(
                        .responseTooLarge, target: pool.key, detail: "over \(request.maxResponseBytes) bytes"))
                return
            }
            if body.isEmpty { body = bytes } else { body.append(contentsOf: bytes) }
        case .end:
            guard let head, let request = current else { return }
            current = nil
            servedRequests += 1
            pool.cancelTimer(of: request)
            request.succeed(HTTPClientResponse(status: head.status, headers: head.headers, body: body))
            body = []
            if head.keepAlive, outboundOffset >= outbound.count {
                state = .idle
                pool.release(self)
            } else {
                close()
            }
        case .needMoreData:
            return
        case .error(let error):
            fail(HTTPClientError(.invalidResponse, target: pool.key, detail: error.code))
        }
    }

    /// Fails the current request (if any) and closes.
    func fail(_ error: any Error) {
        if let request = current {
            current = nil
            pool.cancelTimer(of: request)
            request.fail(error)
        }
        close()
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        if let request = current {
            current = nil
            pool.cancelTimer(of: request)
            request.fail(HTTPClientError(.connectionClosed, target: pool.key))
        }
        loop.deregister(fd)
        Glibc.close(fd)
        pool.connectionClosed(self)
    }
}
