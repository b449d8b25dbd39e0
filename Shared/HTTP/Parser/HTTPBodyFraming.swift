/// How the end of a message body is found (RFC 9112 §6.3).
enum HTTPBodyFraming: Sendable, Equatable {
    case empty
    case length(Int)
    case chunked
    /// Responses only: the body ends when the server closes the connection.
    case untilClose

    /// Framing of a request; also enforces the Host rules, which belong to the same decision of
    /// whether the head can be trusted.
    static func request(_ facts: HTTPFramingFacts, version: HTTPVersion) throws(HTTPParseError) -> Self {
        if facts.hostCount == 0, version.minor >= 1 { throw .missingHost }
        if facts.hostCount > 1 { throw .duplicateHost }
        return try message(facts, version: version, otherwise: .empty)
    }

    /// Framing of a response to `method`. Unlike RFC 9112 §6.3's "Transfer-Encoding wins", a
    /// response with both Content-Length and Transfer-Encoding is rejected: the RFC itself says
    /// such a message "ought to be handled as an error", and our client then drops the connection.
    static func response(
        _ facts: HTTPFramingFacts, version: HTTPVersion, status: HTTPStatus,
        to method: HTTPMethod
    ) throws(HTTPParseError) -> Self {
        if method == .HEAD || status.isInformational || status.code == 204 || status.code == 304 {
            return .empty
        }
        // A successful CONNECT turns the connection into a tunnel; there is no HTTP body.
        if method == .CONNECT, status.isSuccess { return .empty }
        return try message(facts, version: version, otherwise: .untilClose)
    }

    private static func message(
        _ facts: HTTPFramingFacts, version: HTTPVersion,
        otherwise: Self
    ) throws(HTTPParseError) -> Self {
        if facts.transferEncodingCount > 0 {
            // HTTP/1.0 has no chunked coding, so a 1.0 sender using it is confused or hostile.
            if version.minor == 0 { throw .transferEncodingInHTTP10 }
            if facts.contentLengthCount > 0 { throw .contentLengthWithTransferEncoding }
            guard facts.transferEncodingCount == 1, facts.transferEncodingIsChunked else {
                throw .unsupportedTransferEncoding
            }
            return .chunked
        }
        if facts.contentLengthCount > 1 { throw .duplicateContentLength }
        if facts.contentLengthCount == 1 {
            guard let length = facts.contentLength else { throw .invalidContentLength }
            return length == 0 ? .empty : .length(length)
        }
        return otherwise
    }
}
