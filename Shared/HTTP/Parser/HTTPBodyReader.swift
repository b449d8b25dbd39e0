/// Turns buffered bytes into body chunks for one message, for any `HTTPBodyFraming`.
///
/// The limit is passed on every call rather than fixed at the start, because the server may
/// change it after seeing the head; anything already promised (a Content-Length, announced chunk
/// sizes, bytes read until close) is checked against the limit as it is at that moment.
struct HTTPBodyReader: Sendable {
    enum Event {
        case body([UInt8])
        case end(trailers: HTTPHeaders?)
        case needMoreData
    }

    private enum State {
        case length(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case finished
    }

    private var state: State
    /// Body bytes the message has committed to so far.
    private var committed: Int
    private var trailers = HTTPHeadReader<HTTPTrailerStart>(startLine: HTTPTrailerStart())
    /// Bytes of a partial chunk-size line already searched for LF.
    private var scanned = 0

    init(framing: HTTPBodyFraming) {
        switch framing {
        case .empty: (state, committed) = (.length(remaining: 0), 0)
        case .length(let length): (state, committed) = (.length(remaining: length), length)
        case .chunked: (state, committed) = (.chunkSizeLine, 0)
        case .untilClose: (state, committed) = (.untilClose, 0)
        }
    }

    /// Whether the body ends only when the connection does.
    var isUntilClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// The next event; every loop iteration either consumes bytes or returns, so it terminates.
    mutating func next(
        _ buffer: inout HTTPByteBuffer, limits: HTTPParserLimits,
        bodyLimit: Int
    ) throws(HTTPParseError) -> Event {
        while true {
            if committed > bodyLimit { throw .bodyTooLarge }
            switch state {
            case .finished:
                return .needMoreData
            case .length(let remaining):
                guard remaining > 0 else {
                    state = .finished
                    return .end(trailers: nil)
                }
                guard !buffer.isEmpty else { return .needMoreData }
                let bytes = buffer.take(remaining)
                state = .length(remaining: remaining - bytes.count)
                return .body(bytes)
            case .untilClose:
                guard !buffer.isEmpty else { return .needMoreData }
                // Deliver up to the limit, then fail on the first byte past it, so the outcome
                // does not depend on how the bytes were split into reads.
                let allowed = min(buffer.count, bodyLimit - committed)
                guard allowed > 0 else { throw .bodyTooLarge }
                committed += allowed
                return .body(buffer.take(allowed))
            case .chunkSizeLine:
                guard let size = try readChunkSize(&buffer) else { return .needMoreData }
                if size == 0 {
                    state = .trailers
                } else {
                    let (total, overflow) = committed.addingReportingOverflow(size)
                    guard !overflow, total <= bodyLimit else { throw .bodyTooLarge }
                    committed = total
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                guard !buffer.isEmpty else { return .needMoreData }
                let bytes = buffer.take(remaining)
                let left = remaining - bytes.count
                state = left == 0 ? .chunkDataEnd : .chunkData(remaining: left)
                return .body(bytes)
            case .chunkDataEnd:
                guard try readChunkTerminator(&buffer) else { return .needMoreData }
                state = .chunkSizeLine
            case .trailers:
                guard try trailers.read(&buffer, limits: limits) else { return .needMoreData }
                state = .finished
                return .end(trailers: trailers.fields.isEmpty ? nil : HTTPHeaders(trailers.fields))
            }
        }
    }

    /// The size from a complete chunk-size line, consuming it, or nil if its LF has not arrived.
    private mutating func readChunkSize(_ buffer: inout HTTPByteBuffer) throws(HTTPParseError) -> Int? {
        let from = scanned
        let found = try buffer.withUnconsumedBytes { (bytes) throws(HTTPParseError) -> (Int, Int)? in
            guard let lineFeed = HTTPSyntax.firstLineFeed(in: bytes, from: from) else {
                // As for the request line, a trailing CR may be the line ending and is not counted.
                let last = bytes.count > 0 && bytes[bytes.count - 1] == HTTPSyntax.cr ? 1 : 0
                if bytes.count - last > HTTPChunkSizeLine.maxBytes { throw .chunkExtensionTooLong }
                return nil
            }
            let hasCR = lineFeed > 0 && bytes[lineFeed - 1] == HTTPSyntax.cr
            let line = 0..<(hasCR ? lineFeed - 1 : lineFeed)
            if line.count > HTTPChunkSizeLine.maxBytes { throw .chunkExtensionTooLong }
            guard hasCR else { throw .bareLineFeed }
            return (try HTTPChunkSizeLine.parse(bytes, line), lineFeed + 1)
        }
        guard let (size, lineLength) = found else {
            scanned = buffer.count
            return nil
        }
        scanned = 0
        buffer.consume(lineLength)
        return size
    }

    /// Consumes the CRLF after chunk data; false if it has not fully arrived yet.
    private func readChunkTerminator(_ buffer: inout HTTPByteBuffer) throws(HTTPParseError) -> Bool {
        let result = buffer.withUnconsumedBytes { bytes -> Bool? in
            guard bytes.count > 0, bytes[0] == HTTPSyntax.cr else { return bytes.count > 0 ? nil : false }
            guard bytes.count > 1 else { return false }
            return bytes[1] == HTTPSyntax.lf ? true : nil
        }
        guard let complete = result else { throw .invalidChunkTerminator }
        if complete { buffer.consume(2) }
        return complete
    }
}
