/// A request waiting for, or using, a pooled connection. Completed exactly once.
final class PendingClientRequest {
    let bytes: [UInt8]
    let method: HTTPMethod
    let target: String
    /// The largest body accepted for this request's response.
    var maxResponseBytes = 8 << 20
    private var continuation: CheckedContinuation<HTTPClientResponse, any Error>?
    var timer: UInt64?
    /// The connection carrying it, so a timeout can close that connection.
    weak var connection: ClientConnection?

    init(
        bytes: [UInt8], method: HTTPMethod, target: String,
        continuation: CheckedContinuation<HTTPClientResponse, any Error>
    ) {
        self.bytes = bytes
        self.method = method
        self.target = target
        self.continuation = continuation
    }

    var isFinished: Bool { continuation == nil }

    func succeed(_ response: HTTPClientResponse) {
        continuation?.resume(returning: response)
        continuation = nil
    }

    func fail(_ error: any Error) {
        continuation?.resume(throwing: error)
        continuation = nil
    }

    static func serialize(method: HTTPMethod, url: ClientURL, headers: HTTPHeaders, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + body.count)
        out.append(contentsOf: method.rawValue.utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: url.target.utf8)
        out.append(contentsOf: " HTTP/1.1\r\nHost: ".utf8)
        out.append(contentsOf: url.hostHeader.utf8)
        out.append(contentsOf: "\r\n".utf8)
        var hasUserAgent = false
        for field in headers {
            if HTTPHeaders.namesEqual(field.name, "Host") || HTTPHeaders.namesEqual(field.name, "Content-Length")
                || HTTPHeaders.namesEqual(field.name, "Transfer-Encoding")
                || HTTPHeaders.namesEqual(field.name, "Connection")
            {
                continue
            }
            if HTTPHeaders.namesEqual(field.name, "User-Agent") { hasUserAgent = true }
            out.append(contentsOf: field.name.utf8.filter { $0 != 13 && $0 != 10 })
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: field.value.utf8.filter { $0 != 13 && $0 != 10 })
            out.append(contentsOf: "\r\n".utf8)
        }
        if !hasUserAgent { out.append(contentsOf: "User-Agent: coffer\r\n".utf8) }
        if !body.isEmpty || method == .POST || method == .PUT || method == .PATCH {
            out.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: body)
        return out
    }
}
