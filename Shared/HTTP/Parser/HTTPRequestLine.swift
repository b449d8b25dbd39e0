/// `method SP request-target SP HTTP-version` (RFC 9112 §3), strictly: single spaces, a token
/// method, a target of visible ASCII only, and HTTP/1.0 or HTTP/1.1.
struct HTTPRequestLine: HTTPStartLine {
    var method: HTTPMethod
    var target: String
    var version: HTTPVersion

    static var tooLong: HTTPParseError { .uriTooLong }
    static var malformed: HTTPParseError { .invalidRequestLine }
    static var fieldSyntaxError: HTTPParseError? { nil }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError) -> Self {
        let end = line.upperBound
        var index = line.lowerBound
        while index < end, HTTPSyntax.isTokenChar(bytes[index]) { index &+= 1 }
        guard index > line.lowerBound, index < end, bytes[index] == HTTPSyntax.space else {
            throw failure(bytes, line)
        }
        let methodRange = line.lowerBound..<index

        index &+= 1
        let targetStart = index
        while index < end, HTTPSyntax.isVisible(bytes[index]) { index &+= 1 }
        guard index > targetStart, index < end, bytes[index] == HTTPSyntax.space else {
            throw failure(bytes, line)
        }
        let targetRange = targetStart..<index

        guard let version = HTTPSyntax.version(bytes, (index &+ 1)..<end) else { throw failure(bytes, line) }
        guard version == .http1_1 || version == .http1_0 else { throw .unsupportedVersion }
        return Self(
            method: method(bytes, methodRange), target: HTTPSyntax.string(bytes, targetRange),
            version: version)
    }

    /// A stray CR is a line-ending problem, which says more than "malformed" in a log.
    private static func failure(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> HTTPParseError {
        HTTPSyntax.containsCarriageReturn(bytes, line) ? .bareCarriageReturn : .invalidRequestLine
    }

    /// Reuses the shared constants for common methods instead of decoding a new string.
    private static func method(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> HTTPMethod {
        switch range.count {
        case 3:
            if HTTPSyntax.equals(bytes, range, "GET") { return .GET }
            if HTTPSyntax.equals(bytes, range, "PUT") { return .PUT }
        case 4:
            if HTTPSyntax.equals(bytes, range, "POST") { return .POST }
            if HTTPSyntax.equals(bytes, range, "HEAD") { return .HEAD }
        case 5:
            if HTTPSyntax.equals(bytes, range, "PATCH") { return .PATCH }
        case 6:
            if HTTPSyntax.equals(bytes, range, "DELETE") { return .DELETE }
        case 7:
            if HTTPSyntax.equals(bytes, range, "OPTIONS") { return .OPTIONS }
        default:
            break
        }
        return HTTPMethod(HTTPSyntax.string(bytes, range))
    }
}
