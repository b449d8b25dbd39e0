/// A strict, incremental HTTP/1.x response parser for Coffer's own HTTP client.
///
/// Same validation and event order as `HTTPRequestParser`. Interim 1xx responses other than
/// 101 are skipped. A response carrying both Content-Length and Transfer-Encoding is rejected
/// rather than framed by Transfer-Encoding (see `HTTPBodyFraming.response`). A 101 yields its
/// head and `.end`; what follows belongs to the upgraded protocol and is not parsed as HTTP.
public struct HTTPResponseParser: Sendable {
    public enum Event: Sendable {
        case head(HTTPResponseHead)
        case body([UInt8])
        case end(trailers: HTTPHeaders?)
        case needMoreData
        case error(HTTPParseError)
    }

    private enum Phase: Sendable {
        case head
        case body
        case upgraded
        case failed(HTTPParseError)
    }

    private let limits: HTTPParserLimits
    private var buffer = HTTPByteBuffer()
    private var phase = Phase.head
    private var headReader = HTTPHeadReader<HTTPStatusLine>()
    private var bodyReader = HTTPBodyReader(framing: .empty)
    /// Methods of the requests still awaiting a response, oldest first (pipelining-safe).
    private var pendingMethods: [HTTPMethod] = []
    private var isClosed = false
    /// An interim response was consumed, so a final one is owed even if no byte of it arrived.
    private var awaitsFinalResponse = false
    /// The current response is a 101: after its `.end` the connection no longer speaks HTTP/1.
    private var isSwitchingProtocols = false

    public init(
        limits: HTTPParserLimits = HTTPParserLimits(
            maxRequestLineBytes: 8 * 1024, maxHeaderBytes: 64 * 1024,
            maxHeaderCount: 200, maxBodyBytes: 16 * 1024 * 1024)
    ) {
        self.limits = limits
    }

    /// Call before each response with the method of the request it answers (HEAD → no body).
    public mutating func expectResponse(to method: HTTPMethod) {
        pendingMethods.append(method)
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard acceptsBytes else { return }
        buffer.append(bytes)
    }

    public mutating func feed(_ bytes: [UInt8]) {
        guard acceptsBytes else { return }
        buffer.append(bytes)
    }

    public mutating func next() -> Event {
        do throws(HTTPParseError) {
            while true {
                switch phase {
                case .failed(let error):
                    return .error(error)
                case .upgraded:
                    return .needMoreData
                case .head:
                    guard try headReader.read(&buffer, limits: limits) else { return try endOfInput(.needMoreData) }
                    // Interim responses are consumed here; the loop then reads the final one.
                    if let head = try finishHead() { return .head(head) }
                case .body:
                    switch try bodyReader.next(&buffer, limits: limits, bodyLimit: limits.maxBodyBytes) {
                    case .needMoreData:
                        return try endOfInput(.needMoreData)
                    case .body(let bytes):
                        return .body(bytes)
                    case .end(let trailers):
                        phase = isSwitchingProtocols ? .upgraded : .head
                        return .end(trailers: trailers)
                    }
                }
            }
        } catch {
            phase = .failed(error)
            buffer.removeAll()
            return .error(error)
        }
    }

    /// The peer closed the connection: `.end` for a read-until-close body, `.error(.incompleteMessage)`
    /// if a response was cut short, nil if nothing was in progress. Call it after `next()` has
    /// returned `.needMoreData`; if bytes were still buffered, this returns the next event for them
    /// and `next()` continues from there.
    public mutating func connectionClosed() -> Event? {
        isClosed = true
        let event = next()
        if case .needMoreData = event { return nil }
        return event
    }

    private var acceptsBytes: Bool {
        switch phase {
        case .failed, .upgraded: false
        case .head, .body: !isClosed
        }
    }

    /// What `.needMoreData` means once the peer has closed: the end of a read-until-close body,
    /// nothing (between responses), or a truncated response.
    private mutating func endOfInput(_ event: Event) throws(HTTPParseError) -> Event {
        guard isClosed else { return event }
        switch phase {
        case .body where bodyReader.isUntilClose:
            phase = .head
            bodyReader = HTTPBodyReader(framing: .empty)
            return .end(trailers: nil)
        case .head where buffer.isEmpty && !headReader.hasStarted && !awaitsFinalResponse:
            return event
        default:
            throw .incompleteMessage
        }
    }

    /// The final head, or nil after consuming an interim (1xx) response.
    private mutating func finishHead() throws(HTTPParseError) -> HTTPResponseHead? {
        let reader = headReader
        headReader = HTTPHeadReader()
        guard let line = reader.startLine else { throw .invalidStatusLine }
        if line.status.isInformational, line.status.code != 101 {
            awaitsFinalResponse = true
            return nil
        }
        awaitsFinalResponse = false

        let method = pendingMethods.isEmpty ? HTTPMethod.GET : pendingMethods.removeFirst()
        let framing = try HTTPBodyFraming.response(
            reader.facts, version: line.version, status: line.status,
            to: method)
        bodyReader = HTTPBodyReader(framing: framing)
        isSwitchingProtocols = line.status.code == 101
        phase = .body
        return HTTPResponseHead(version: line.version, status: line.status, headers: HTTPHeaders(reader.fields))
    }
}
