import Foundation
import HTTP

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP client for tests that need byte-level control: pipelining, slow senders,
/// malformed requests. Reads have a timeout so a broken server fails the test instead of hanging it.
public final class RawSocket {
    public let fd: Int32

    public init(port: Int, host: String = "127.0.0.1", readTimeout: Duration = .seconds(5)) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(operation: "socket", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw SocketError(operation: "connect", errno: code)
        }
        let (seconds, attoseconds) = readTimeout.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw SocketError(operation: "send", errno: errno) }
            offset += written
        }
    }

    /// Reads whatever arrives next; empty when the peer closed; throws on timeout.
    public func receiveSome(max: Int = 65536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw SocketError(operation: "recv", errno: errno) }
        return Array(buffer[0..<count])
    }

    /// Reads `count` complete responses (parsed with Coffer's response parser).
    public func readResponses(_ count: Int, requestMethods: [HTTPMethod]? = nil) throws -> [TestResponse] {
        var parser = HTTPResponseParser()
        var responses: [TestResponse] = []
        var current: HTTPResponseHead?
        var body: [UInt8] = []
        parser.expectResponse(to: requestMethods?.first ?? .GET)
        while responses.count < count {
            switch parser.next() {
            case .head(let head):
                current = head
                body = []
            case .body(let bytes):
                body += bytes
            case .end:
                if let current { responses.append(TestResponse(head: current, body: body)) }
                current = nil
                if let methods = requestMethods, responses.count < methods.count {
                    parser.expectResponse(to: methods[responses.count])
                } else {
                    parser.expectResponse(to: .GET)
                }
            case .needMoreData:
                let bytes = try receiveSome()
                if bytes.isEmpty {
                    if case .end? = parser.connectionClosed(), let current {
                        responses.append(TestResponse(head: current, body: body))
                    }
                    return responses
                }
                parser.feed(bytes)
            case .error(let error):
                throw error
            }
        }
        return responses
    }

    /// True if the server closed the connection (reads EOF) within the read timeout.
    public func waitForClose() -> Bool {
        while true {
            guard let bytes = try? receiveSome() else { return false }
            if bytes.isEmpty { return true }
        }
    }
}

/// A response read by `RawSocket`.
public struct TestResponse: Sendable {
    public let head: HTTPResponseHead
    public let body: [UInt8]
    public var status: Int { head.status.code }
    public var text: String { String(decoding: body, as: UTF8.self) }
    public func header(_ name: String) -> String? { head.headers[name] }
}
