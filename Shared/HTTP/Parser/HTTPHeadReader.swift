/// Reads a start line and a field section (or, for trailers, only a field section) line by line.
///
/// Each line is parsed as soon as its LF arrives and then consumed, and the partial line left in
/// the buffer is never searched twice, so feeding one byte at a time stays linear. Every check
/// depends only on bytes up to the point where it fires, which makes the result (including which
/// error wins) the same however the input is split.
struct HTTPHeadReader<StartLine: HTTPStartLine>: Sendable {
    /// RFC 9112 §2.2 asks servers to ignore "at least one" empty line before a request line.
    static var maxLeadingEmptyLines: Int { 8 }

    private(set) var startLine: StartLine?
    private(set) var fields: [HTTPHeaders.Element] = []
    private(set) var facts = HTTPFramingFacts()
    /// Whether any line (even an empty leading one) has been consumed.
    private(set) var hasStarted = false
    private var sectionBytes = 0
    private var emptyLinesSkipped = 0
    /// Bytes at the front of the buffer (the current partial line) already searched for LF.
    private var scanned = 0

    /// A reader for a head; pass a start line to read only a field section (trailers).
    init(startLine: StartLine? = nil) {
        self.startLine = startLine
    }

    /// Consumes complete lines from `buffer`; returns true once the empty line ending the section
    /// has been consumed, leaving anything after it (a body, the next message) in the buffer.
    mutating func read(_ buffer: inout HTTPByteBuffer, limits: HTTPParserLimits) throws(HTTPParseError) -> Bool {
        guard !buffer.isEmpty else { return false }
        let (consumed, done) = try buffer.withUnconsumedBytes { (bytes) throws(HTTPParseError) in
            try readLines(bytes, limits: limits)
        }
        if consumed > 0 { hasStarted = true }
        buffer.consume(consumed)
        return done
    }

    private mutating func readLines(
        _ bytes: UnsafeBufferPointer<UInt8>,
        limits: HTTPParserLimits
    ) throws(HTTPParseError) -> (Int, Bool) {
        var lineStart = 0
        while let lineFeed = HTTPSyntax.firstLineFeed(in: bytes, from: lineStart &+ scanned) {
            scanned = 0
            let hasCR = lineFeed > lineStart && bytes[lineFeed &- 1] == HTTPSyntax.cr
            let line = lineStart..<(hasCR ? lineFeed &- 1 : lineFeed)
            let next = lineFeed &+ 1
            if startLine == nil {
                // Length before line ending, so a long line fails the same way whether or not its
                // LF arrived in the same read.
                if line.count > limits.maxRequestLineBytes { throw StartLine.tooLong }
                guard hasCR else { throw .bareLineFeed }
                if line.isEmpty {
                    emptyLinesSkipped += 1
                    if emptyLinesSkipped > Self.maxLeadingEmptyLines { throw StartLine.malformed }
                } else {
                    startLine = try StartLine.parse(bytes, line)
                }
            } else {
                sectionBytes += next &- lineStart
                if sectionBytes > limits.maxHeaderBytes { throw .headerFieldsTooLarge }
                guard hasCR else { throw .bareLineFeed }
                if line.isEmpty { return (next, true) }
                if fields.count >= limits.maxHeaderCount { throw .tooManyHeaders }
                try appendField(bytes, line)
            }
            lineStart = next
        }
        try checkPartialLine(bytes, from: lineStart, limits: limits)
        scanned = bytes.count &- lineStart
        return (lineStart, false)
    }

    /// Fails as soon as the buffered part of an unfinished line already breaks a limit, instead of
    /// buffering more from a client that may never send the line's end.
    private func checkPartialLine(
        _ bytes: UnsafeBufferPointer<UInt8>, from lineStart: Int,
        limits: HTTPParserLimits
    ) throws(HTTPParseError) {
        let partial = bytes.count &- lineStart
        if startLine == nil {
            // A trailing CR may be the start of this line's CRLF, so it does not count yet.
            let content = partial > 0 && bytes[bytes.count &- 1] == HTTPSyntax.cr ? partial &- 1 : partial
            if content > limits.maxRequestLineBytes { throw StartLine.tooLong }
        } else if sectionBytes &+ partial > limits.maxHeaderBytes {
            throw .headerFieldsTooLarge
        }
    }

    private mutating func appendField(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ line: Range<Int>
    ) throws(HTTPParseError) {
        let name: Range<Int>
        let value: Range<Int>
        do {
            (name, value) = try HTTPFieldLine.parse(bytes, line)
        } catch {
            let isLineEnding = error == .bareCarriageReturn
            throw isLineEnding ? error : (StartLine.fieldSyntaxError ?? error)
        }
        facts.record(bytes, name: name, value: value)
        if fields.isEmpty { fields.reserveCapacity(16) }
        fields.append((name: HTTPSyntax.string(bytes, name), value: HTTPSyntax.string(bytes, value)))
    }
}
