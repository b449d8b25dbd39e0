/// `HTTP-version SP 3DIGIT SP reason-phrase` (RFC 9112 §4) for Coffer's own client.
///
/// One leniency: `HTTP/1.1 200` with no space before an empty reason is accepted, because some
/// providers' servers send it and it cannot change how the message is framed.
struct HTTPStatusLine: HTTPStartLine {
    var version: HTTPVersion
    var status: HTTPStatus

    static var tooLong: HTTPParseError { .statusLineTooLong }
    static var malformed: HTTPParseError { .invalidStatusLine }
    static var fieldSyntaxError: HTTPParseError? { nil }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError) -> Self {
        let start = line.lowerBound
        guard line.count >= 12, let version = HTTPSyntax.version(bytes, start..<(start + 8)),
            bytes[start + 8] == HTTPSyntax.space,
            HTTPSyntax.isDigit(bytes[start + 9]), HTTPSyntax.isDigit(bytes[start + 10]),
            HTTPSyntax.isDigit(bytes[start + 11])
        else { throw failure(bytes, line) }
        let code =
            Int(bytes[start + 9] - 0x30) * 100 + Int(bytes[start + 10] - 0x30) * 10
            + Int(bytes[start + 11] - 0x30)
        guard code >= 100 else { throw HTTPParseError.invalidStatusLine }
        if line.count > 12 {
            guard bytes[start + 12] == HTTPSyntax.space else { throw failure(bytes, line) }
            for index in (start + 13)..<line.upperBound where !HTTPSyntax.isFieldByte(bytes[index]) {
                throw failure(bytes, line)
            }
        }
        guard version == .http1_1 || version == .http1_0 else { throw .unsupportedVersion }
        return Self(version: version, status: HTTPStatus(code))
    }

    private static func failure(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> HTTPParseError {
        HTTPSyntax.containsCarriageReturn(bytes, line) ? .bareCarriageReturn : .invalidStatusLine
    }
}
