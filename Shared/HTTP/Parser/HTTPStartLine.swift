/// The first line of a message (request line or status line), parsed once its CRLF has arrived.
///
/// `HTTPHeadReader` is generic over it so that requests, responses and chunked trailers share
/// one line scanner with identical limits and error ordering.
protocol HTTPStartLine: Sendable {
    /// Parses `bytes[line]`, the line without its CRLF; `line` is never empty.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError) -> Self
    /// Thrown when the line outgrows `maxRequestLineBytes`.
    static var tooLong: HTTPParseError { get }
    /// Thrown when too many empty lines precede the start line.
    static var malformed: HTTPParseError { get }
    /// Replaces field-syntax errors (bad name, value or folding), or nil to report them as they are.
    static var fieldSyntaxError: HTTPParseError? { get }
}

/// Stands in for the start line of a trailer section, which has none: a reader created with one
/// already in place goes straight to field lines.
struct HTTPTrailerStart: HTTPStartLine {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError) -> Self {
        Self()
    }

    static var tooLong: HTTPParseError { .invalidTrailer }
    static var malformed: HTTPParseError { .invalidTrailer }
    static var fieldSyntaxError: HTTPParseError? { .invalidTrailer }
}
