/// A strict, incremental HTTP/1.x request parser (RFC 9112). It never touches a socket: the
/// server feeds it bytes and pulls events until `.needMoreData`.
///
/// Per request it yields exactly one `.head`, zero or more non-empty `.body` chunks and one
/// `.end`, then moves on to the next pipelined request. After an `.error` it is poisoned: every
/// later `next()` returns the same error and fed bytes are dropped, since the connection can no
/// longer be framed and must be answered with `error.status` and closed.
public struct HTTPRequestParser: Sendable {
    public enum Event: Sendable {
        case head(HTTPRequestHead)
        case body([UInt8])
        case end(trailers: HTTPHeaders?)
        case needMoreData
        case error(HTTPParseError)
    }

    private enum Phase: Sendable {
        case head
        case body
        case failed(HTTPParseError)
    }

    private let limits: HTTPParserLimits
    private var buffer = HTTPByteBuffer()
    private var phase = Phase.head
    private var headReader = HTTPHeadReader<HTTPRequestLine>()
    private var bodyReader = HTTPBodyReader(framing: .empty)
    private var bodyLimit: Int

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
        self.bodyLimit = limits.maxBodyBytes
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        if case .failed = phase { return }
        buffer.append(bytes)
    }

    public mutating func feed(_ bytes: [UInt8]) {
        if case .failed = phase { return }
        buffer.append(bytes)
    }

    /// Call repeatedly until `.needMoreData` (or `.error`). Never loops forever, never traps.
    public mutating func next() -> Event {
        do throws(HTTPParseError) {
            switch phase {
            case .failed(let error):
                return .error(error)
            case .head:
                guard try headReader.read(&buffer, limits: limits) else { return .needMoreData }
                return .head(try finishHead())
            case .body:
                switch try bodyReader.next(&buffer, limits: limits, bodyLimit: bodyLimit) {
                case .needMoreData:
                    return .needMoreData
                case .body(let bytes):
                    return .body(bytes)
                case .end(let trailers):
                    phase = .head
                    bodyLimit = limits.maxBodyBytes
                    return .end(trailers: trailers)
                }
            }
        } catch {
            phase = .failed(error)
            buffer.removeAll()
            return .error(error)
        }
    }

    /// Overrides the body limit for the current request only; valid after `.head` and before the
    /// body is complete; the next request starts again from `limits.maxBodyBytes`.
    public mutating func setBodyLimit(_ maxBytes: Int) {
        guard case .body = phase else { return }
        bodyLimit = max(maxBytes, 0)
    }

    /// True from the first buffered byte of a request until its `.end` (so also while its body is
    /// read); the server runs its header-read deadline while this is true and no head was returned.
    public var hasPartialRequest: Bool {
        switch phase {
        case .head: !buffer.isEmpty || headReader.hasStarted
        case .body: true
        case .failed: false
        }
    }

    /// True after `.head` was returned and before its `.end`.
    public var isReadingBody: Bool {
        if case .body = phase { return true }
        return false
    }

    /// Bytes received but not yet returned in an event; a server stops reading above its own cap.
    public var bufferedByteCount: Int { buffer.count }

    private mutating func finishHead() throws(HTTPParseError) -> HTTPRequestHead {
        let reader = headReader
        headReader = HTTPHeadReader()
        guard let line = reader.startLine else { throw .invalidRequestLine }
        let framing = try HTTPBodyFraming.request(reader.facts, version: line.version)
        bodyReader = HTTPBodyReader(framing: framing)
        phase = .body
        return HTTPRequestHead(
            method: line.method, target: line.target, version: line.version,
            headers: HTTPHeaders(reader.fields))
    }
}
