import CSystem
import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// One client connection, confined to its loop. Reads in large chunks (edge-triggered), parses,
/// hands complete requests to the responder one at a time (pipelined requests wait in the parser,
/// so answers keep their order), writes responses, and enforces the header, body, idle and write
/// deadlines.
final class HTTPConnection: EventLoopSelectable {
    enum Phase {
        case awaitingHead  // idle between requests (or before the first)
        case readingHead  // some bytes of a head have arrived
        case admitting  // the head is being checked (authentication); the body waits unread
        case readingBody
        case handling  // the responder has the request
        case closingAfterWrite  // last response queued; discard input until it is written
        case lingering  // write side shut; drain input briefly so the client sees the response
        case closed
    }

    enum DeadlineKind: String {
        case firstRequest = "first_request", header, body, idle, write, linger
    }

    let fd: Int32
    let serverLoop: ServerLoop
    let peerAddress: String
    private var parser: HTTPRequestParser
    private(set) var phase: Phase = .awaitingHead
    private var head: HTTPRequestHead?
    /// What the responder's admission produced for the current request.
    private var admissionCarry: (any Sendable)?
    /// The current request already holds an in-flight slot (taken for its admission).
    private var holdsInFlightSlot = false
    private var body: [UInt8] = []
    private var headCompletedAt: UInt64 = 0
    private var continuePending = false
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var readable = false
    private var closeAfterResponse = false
    private var deadline: UInt64 = 0
    private var deadlineKind: DeadlineKind = .firstRequest

    private var server: HTTPServer { serverLoop.server }
    private var loop: EventLoop { serverLoop.loop }

    init(fd: Int32, serverLoop: ServerLoop, peerAddress: String) {
        self.fd = fd
        self.serverLoop = serverLoop
        self.peerAddress = peerAddress
        self.parser = HTTPRequestParser(limits: serverLoop.server.configuration.limits)
    }

    func start() throws {
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        try loop.register(fd, events: events, handler: self)
        setDeadline(server.configuration.headerReadTimeout, .firstRequest)
    }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        if events & EPOLLERR.rawValue != 0 {
            close()
            return
        }
        if events & EPOLLOUT.rawValue != 0, outboundOffset < outbound.count {
            flush()
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 {
            readable = true
            readAvailable()
        }
    }

    private func readAvailable() {
        var rounds = 0
        while readable, phase != .closed, phase != .handling, phase != .admitting {
            rounds += 1
            if rounds > 16 {
                // Fairness: let other connections on this loop run, then continue (edge-triggered
                // epoll will not tell us again about bytes already waiting).
                let me = UnsafeTransfer(self)
                loop.submit(EventLoop.LoopClosure { me.value.readAvailable() })
                return
            }
            let buffer = loop.readBuffer
            switch Socket.read(fd, into: buffer) {
            case .bytes(let count):
                if phase == .closingAfterWrite || phase == .lingering { continue }
                parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                processInput()
            case .wouldBlock:
                readable = false
            case .closed:
                readable = false
                peerClosed()
            case .failed:
                close()
            }
        }
    }

    /// The client shut its write side. A request being handled is still answered; anything else ends.
    private func peerClosed() {
        switch phase {
        case .handling, .closingAfterWrite:
            closeAfterResponse = true
        default:
            close()
        }
    }

    // MARK: Parsing

    private func processInput() {
        while phase == .awaitingHead || phase == .readingHead || phase == .readingBody {
            switch parser.next() {
            case .head(let head):
                self.head = head
                body = []
                admissionCarry = nil
                headCompletedAt = MonotonicClock.nanoseconds()
                if let limit = server.responder.bodyLimit(for: head) { parser.setBodyLimit(limit) }
                continuePending = head.expectsContinue && head.version.minor >= 1
                if server.responder.needsAdmission(head) {
                    beginAdmission(head)
                    return
                }
                phase = .readingBody
                setDeadline(server.configuration.bodyReadTimeout, .body)
            case .body(let bytes):
                if body.isEmpty { body = bytes } else { body.append(contentsOf: bytes) }
            case .end(let trailers):
                continuePending = false
                dispatch(trailers: trailers)
            case .needMoreData:
                if phase == .readingBody, continuePending {
                    // The body is wanted and within limits: tell the client to send it.
                    continuePending = false
                    outbound.append(contentsOf: ResponseSerializer.interimContinue())
                    flush()
                }
                if phase == .awaitingHead, parser.hasPartialRequest {
                    phase = .readingHead
                    setDeadline(server.configuration.headerReadTimeout, .header)
                }
                return
            case .error(let error):
                server.metrics.parseErrors.labels(error.code).increment()
                server.logger.debug(
                    "request refused by parser", ["code": .string(error.code), "peer": .string(peerAddress)])
                server.responder.requestRefused(
                    RequestRefusal(
                        head: phase == .readingBody ? head : nil, status: error.status,
                        code: error.code, peerAddress: peerAddress, receivedBytes: body.count))
                respondAndClose(
                    status: error.status, code: error.code, message: error.description, version: head?.version)
                return
            }
        }
    }

    // MARK: Admission

    /// Checks the head (authentication) before any body byte is consumed: reading stops until the
    /// responder decides. A refusal is answered at once and the connection closes, so the body is
    /// never buffered. The check counts as in flight (it may query a database).
    private func beginAdmission(_ head: HTTPRequestHead) {
        phase = .admitting
        deadline = 0
        guard server.beginRequest() else {
            server.metrics.overloadRejections.increment()
            var response = ErrorBody.response(
                status: .serviceUnavailable, code: "overloaded",
                message: "The server is handling too many requests; retry shortly.")
            response.headers.add("Retry-After", "1")
            closeAfterResponse = true
            complete(response, countedInFlight: false)
            return
        }
        holdsInFlightSlot = true
        let responder = server.responder
        let me = UnsafeTransfer(self)
        let loop = self.loop
        let peer = peerAddress
        Task(executorPreference: loop) {
            let admission = await responder.admit(head, peerAddress: peer)
            loop.execute { me.value.admitted(admission) }
        }
    }

    private func admitted(_ admission: RequestAdmission) {
        guard phase == .admitting else {
            releaseAdmissionSlot()  // the connection closed while the check ran
            return
        }
        switch admission {
        case .proceed(let carry):
            admissionCarry = carry
            phase = .readingBody
            setDeadline(server.configuration.bodyReadTimeout, .body)
            processInput()
            if phase != .handling, phase != .closed, readable { readAvailable() }
        case .refuse(let response):
            // The body was never read: this connection cannot carry another request.
            closeAfterResponse = true
            phase = .handling
            holdsInFlightSlot = false
            complete(response, countedInFlight: true)
        }
    }

    // MARK: Handling

    private func dispatch(trailers: HTTPHeaders?) {
        guard let head else { return }
        phase = .handling
        deadline = 0
        if server.isDraining { closeAfterResponse = true }
        if holdsInFlightSlot {
            holdsInFlightSlot = false
            startHandler(head: head, trailers: trailers)
            return
        }
        guard server.beginRequest() else {
            server.metrics.overloadRejections.increment()
            var response = ErrorBody.response(
                status: .serviceUnavailable, code: "overloaded",
                message: "The server is handling too many requests; retry shortly.")
            response.headers.add("Retry-After", "1")
            complete(response, countedInFlight: false)
            return
        }
        startHandler(head: head, trailers: trailers)
    }

    private func startHandler(head: HTTPRequestHead, trailers: HTTPHeaders?) {
        var request = HTTPRequest(
            head: head, body: body, trailers: trailers, peerAddress: peerAddress, receivedAt: headCompletedAt)
        request.admission = admissionCarry
        admissionCarry = nil
        body = []
        let responder = server.responder
        let me = UnsafeTransfer(self)
        let loop = self.loop
        // The task prefers this loop, so the handler runs here and resumes here after awaits.
        Task(executorPreference: loop) {
            let response = await responder.respond(to: request)
            loop.execute { me.value.complete(response, countedInFlight: true) }
        }
    }

    private func complete(_ response: HTTPResponse, countedInFlight: Bool) {
        if countedInFlight { server.endRequest() }
        guard phase != .closed, let head else { return }
        self.head = nil
        let keepAlive = head.keepAlive && !closeAfterResponse && !server.isDraining
        write(response, version: head.version, keepAlive: keepAlive, headOnly: head.method == .HEAD)
        guard phase != .closed, keepAlive else { return }
        phase = .awaitingHead
        setDeadline(server.configuration.idleTimeout, .idle)
        processInput()
        if phase != .handling, readable { readAvailable() }
    }

    /// A request admitted but then refused by the parser (413, a malformed body, a body timeout) or
    /// dropped with its connection gives its in-flight slot back.
    private func releaseAdmissionSlot() {
        guard holdsInFlightSlot else { return }
        holdsInFlightSlot = false
        server.endRequest()
    }

    private func respondAndClose(status: HTTPStatus, code: String, message: String, version: HTTPVersion?) {
        releaseAdmissionSlot()
        let response = ErrorBody.response(status: status, code: code, message: message)
        write(response, version: version ?? .http1_1, keepAlive: false, headOnly: false)
    }

    private func write(_ response: HTTPResponse, version: HTTPVersion, keepAlive: Bool, headOnly: Bool) {
        ResponseSerializer.serialize(
            response, version: version, keepAlive: keepAlive, headOnly: headOnly,
            date: serverLoop.dateCache.current(), into: &outbound)
        if !keepAlive { phase = .closingAfterWrite }
        flush()
    }

    // MARK: Writing

    private func flush() {
        while outboundOffset < outbound.count {
            let result = outbound.withUnsafeBytes { bytes in
                Socket.write(fd, UnsafeRawBufferPointer(rebasing: bytes[outboundOffset...]))
            }
            switch result {
            case .bytes(let count):
                outboundOffset += count
            case .wouldBlock:
                if phase != .handling { setDeadline(server.configuration.writeTimeout, .write) }
                return
            case .closed, .failed:
                close()
                return
            }
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 64 * 1024)
        outboundOffset = 0
        switch phase {
        case .closingAfterWrite:
            beginLingering()
        case .awaitingHead where deadlineKind == .write:
            setDeadline(server.configuration.idleTimeout, .idle)
        default:
            break
        }
    }

    /// Shut the write side and read (and drop) what the client still sends for a moment, so a client
    /// that is mid-upload sees our error response instead of a connection reset.
    private func beginLingering() {
        if server.isDraining {
            close()
            return
        }
        shutdown(fd, Int32(SHUT_WR))
        phase = .lingering
        setDeadline(.seconds(2), .linger)
        if readable { readAvailable() }
    }

    // MARK: Deadlines

    private func setDeadline(_ duration: Duration, _ kind: DeadlineKind) {
        deadline = MonotonicClock.nanoseconds() &+ MonotonicClock.nanoseconds(duration)
        deadlineKind = kind
    }

    func checkDeadline(now: UInt64) {
        guard deadline != 0, now >= deadline, phase != .closed else { return }
        deadline = 0
        server.metrics.timeouts.labels(deadlineKind.rawValue).increment()
        switch deadlineKind {
        case .header, .body:
            server.responder.requestRefused(
                RequestRefusal(
                    head: deadlineKind == .body ? head : nil, status: .requestTimeout,
                    code: "request_timeout", peerAddress: peerAddress, receivedBytes: body.count))
            respondAndClose(
                status: .requestTimeout, code: "request_timeout",
                message: "The request was not received in time.", version: head?.version)
        case .firstRequest, .idle, .write, .linger:
            close()
        }
    }

    // MARK: Closing

    /// Shutdown: idle connections close now, busy ones after their current response.
    func drain() {
        switch phase {
        case .awaitingHead:
            close()
        case .readingHead, .admitting, .readingBody, .handling:
            closeAfterResponse = true
        case .lingering:
            close()
        case .closingAfterWrite, .closed:
            break
        }
    }

    func close() {
        guard phase != .closed else { return }
        // An admission still running resumes into a closed connection and does nothing; its slot is
        // given back when it answers (complete), one admitted and waiting for its body gives it back now.
        if phase != .admitting { releaseAdmissionSlot() }
        phase = .closed
        deadline = 0
        loop.deregister(fd)
        Glibc.close(fd)
        outbound = []
        body = []
        serverLoop.connectionClosed(self)
    }
}
