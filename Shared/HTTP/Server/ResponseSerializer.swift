#if canImport(Glibc)
    import Glibc
#endif

/// Writes a response head and body into bytes. `Content-Length`, `Date` and `Connection` are the
/// server's: a handler's own values for them are replaced so framing can never be wrong.
enum ResponseSerializer {
    static func serialize(
        _ response: HTTPResponse, version: HTTPVersion, keepAlive: Bool, headOnly: Bool,
        date: String, into out: inout [UInt8]
    ) {
        out.reserveCapacity(out.count + 160 + response.body.count)
        out.append(contentsOf: version.major == 1 && version.minor == 0 ? http10 : http11)
        appendStatus(response.status, into: &out)
        for field in response.headers {
            if skipped(field.name) { continue }
            // A handler must never be able to split the response: CR/LF in headers are dropped.
            appendStripped(field.name, into: &out)
            out.append(contentsOf: colonSpace)
            appendStripped(field.value, into: &out)
            out.append(contentsOf: crlf)
        }
        out.append(contentsOf: contentLength)
        out.append(contentsOf: String(response.body.count).utf8)
        out.append(contentsOf: crlf)
        out.append(contentsOf: dateName)
        out.append(contentsOf: date.utf8)
        out.append(contentsOf: crlf)
        if !keepAlive {
            out.append(contentsOf: connectionClose)
        } else if version.minor == 0 {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(contentsOf: crlf)
        if !headOnly, response.status.code != 204, response.status.code != 304 {
            out.append(contentsOf: response.body)
        }
    }

    /// Appends `text` without CR or LF (copying only when there is one to drop).
    @inline(__always)
    static func appendStripped(_ text: String, into out: inout [UInt8]) {
        if text.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
            out.append(contentsOf: text.utf8.filter { $0 != 13 && $0 != 10 })
        } else {
            out.append(contentsOf: text.utf8)
        }
    }

    static func interimContinue() -> [UInt8] { Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) }

    private static func appendStatus(_ status: HTTPStatus, into out: inout [UInt8]) {
        if status.code == 200 {
            out.append(contentsOf: ok200)
            return
        }
        out.append(contentsOf: String(status.code).utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: status.reasonPhrase.utf8)
        out.append(contentsOf: crlf)
    }

    private static func skipped(_ name: String) -> Bool {
        HTTPHeaders.namesEqual(name, "Content-Length") || HTTPHeaders.namesEqual(name, "Date")
            || HTTPHeaders.namesEqual(name, "Connection") || HTTPHeaders.namesEqual(name, "Transfer-Encoding")
    }

    private static let http11 = Array("HTTP/1.1 ".utf8)
    private static let http10 = Array("HTTP/1.0 ".utf8)
    private static let ok200 = Array("200 OK\r\n".utf8)
    private static let crlf: [UInt8] = [13, 10]
    private static let colonSpace: [UInt8] = [UInt8(ascii: ":"), UInt8(ascii: " ")]
    private static let contentLength = Array("Content-Length: ".utf8)
    private static let dateName = Array("Date: ".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
}

/// The `Date` header value (RFC 9110 IMF-fixdate), recomputed at most once per second per loop.
struct HTTPDateCache {
    private var second: time_t = 0
    private var value = ""

    mutating func current() -> String {
        var now = time(nil)
        if now == second { return value }
        second = now
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        value =
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        return value
    }
}
