import CSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A listening socket on one loop. Accepts until the kernel queue is empty, handing each new
/// connection to its loop's `ServerLoop`.
final class HTTPListener: EventLoopSelectable {
    let fd: Int32
    unowned let serverLoop: ServerLoop
    private var paused = false

    init(fd: Int32, serverLoop: ServerLoop) {
        self.fd = fd
        self.serverLoop = serverLoop
    }

    func handleEvents(_ events: UInt32) {
        // Bounded per wake-up so a connection storm cannot starve requests already on this loop.
        for _ in 0..<128 {
            switch Socket.accept(fd) {
            case .accepted(let client, let address):
                // Spread connections over every loop: whichever loop epoll woke accepts a burst, so
                // adopting them all here would pile a benchmark's (or a proxy's) connections on one thread.
                serverLoop.server.distribute(client, address: address, from: serverLoop)
            case .wouldBlock:
                return
            case .failed(let code):
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: stop accepting briefly instead of spinning on a level-triggered event.
                    pause(for: .milliseconds(100))
                    serverLoop.server.logger.warning("accept failed; pausing", ["errno": .int(Int64(code))])
                }
                return
            }
        }
    }

    private func pause(for delay: Duration) {
        guard !paused else { return }
        paused = true
        serverLoop.loop.deregister(fd)
        serverLoop.loop.scheduleTimer(after: delay) { [weak self] in
            guard let self, !self.serverLoop.closed else { return }
            self.paused = false
            // EPOLL_CTL_MOD cannot carry EPOLLEXCLUSIVE: re-add instead.
            self.serverLoop.loop.deregister(self.fd)
            try? self.serverLoop.loop.register(
                self.fd, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, handler: self)
        }
    }

    /// Stops watching the socket on this loop; the last loop to stop closes it.
    func close(closingSocket: Bool) {
        serverLoop.loop.deregister(fd)
        if closingSocket { Glibc.close(fd) }
    }
}
