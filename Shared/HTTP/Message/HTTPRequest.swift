/// A complete request as handlers see it: head, whole body, and where it came from.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    public var trailers: HTTPHeaders?
    /// The peer's IP address as the socket saw it (before any `X-Forwarded-For` logic).
    public var peerAddress: String
    /// When the head was complete, from `MonotonicClock`, for latency metrics.
    public var receivedAt: UInt64
    /// What the responder's admission of the head produced (its context), carried to the handler.
    public var admission: (any Sendable)?

    public init(
        head: HTTPRequestHead, body: [UInt8] = [], trailers: HTTPHeaders? = nil, peerAddress: String = "127.0.0.1",
        receivedAt: UInt64 = MonotonicClock.nanoseconds()
    ) {
        self.head = head
        self.body = body
        self.trailers = trailers
        self.peerAddress = peerAddress
        self.receivedAt = receivedAt
    }

    /// Builds a request by hand (tests, in-process calls).
    public init(method: HTTPMethod, target: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        var headers = headers
        if !headers.contains("Host") { headers.add("Host", "localhost") }
        self.init(
            head: HTTPRequestHead(method: method, target: target, version: .http1_1, headers: headers), body: body)
    }

    public var method: HTTPMethod { head.method }
    public var headers: HTTPHeaders { head.headers }
    public var path: String { String(head.path) }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Query parameters, percent-decoded (`+` as space). Repeated names keep the last value.
    public var queryParameters: [String: String] {
        guard let query = head.query, !query.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusAsSpace: true) else { continue }
            let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusAsSpace: true) : ""
            if let value { result[name] = value }
        }
        return result
    }
}

/// Percent-decoding of URL components; nil on a malformed escape or invalid UTF-8.
public enum PercentDecoding {
    public static func decode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - 55
        default: nil
        }
    }
}
