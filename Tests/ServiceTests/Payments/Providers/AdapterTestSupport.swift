import Contracts
import Foundation
import HTTP
import ProviderKit
import Shared
import Synchronization
import XCTest

@testable import Payments

#if canImport(Glibc)
    import Glibc
#endif

/// A request as the fake provider received it, with its body decoded as JSON or as a form.
struct RecordedRequest: Sendable {
    let method: String
    /// Path and query exactly as sent (ids still percent-encoded).
    let target: String
    let path: String
    let query: [String: String]
    let headers: HTTPHeaders
    let body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }

    /// The body as `application/x-www-form-urlencoded` pairs, decoded, in order.
    var form: [(key: String, value: String)] {
        bodyText.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = PercentDecoding.decode(parts[0], plusAsSpace: true) ?? "<bad>"
            let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusAsSpace: true) ?? "<bad>" : ""
            return (key, value)
        }
    }

    var formKeys: [String] { form.map(\.key) }
    func formValue(_ key: String) -> String? { form.first { $0.key == key }?.value }
}

/// Every request the fake provider received, in order.
final class RequestLog: Sendable {
    private let entries = Mutex<[RecordedRequest]>([])

    func append(_ request: HTTPRequest) {
        let recorded = RecordedRequest(
            method: request.method.rawValue, target: String(request.head.target), path: request.path,
            query: request.queryParameters, headers: request.headers, body: request.body)
        entries.withLock { $0.append(recorded) }
    }

    var all: [RecordedRequest] { entries.withLock { $0 } }
}

/// A provider played in-process by Coffer's own `HTTPServer` and `Router` on an ephemeral port. Each
/// route's reply gets the number of earlier calls to that route, so a test can script sequences
/// (401, then 200). Adapters reach it over real sockets through `CofferHTTPClient`.
final class AdapterProviderServer: Sendable {
    typealias Reply =
        @Sendable (_ request: HTTPRequest, _ context: RequestContext, _ callIndex: Int) async throws
        -> HTTPResponse

    struct Route {
        let method: HTTPMethod
        let template: String
        let reply: Reply
    }

    let server: HTTPServer
    let log = RequestLog()

    init(_ routes: [Route]) async throws {
        let router = Router()
        let log = log
        for route in routes {
            let counter = Mutex(0)
            router.on(route.method, route.template) { request, context in
                log.append(request)
                let index = counter.withLock { value in
                    defer { value += 1 }
                    return value
                }
                return try await route.reply(request, context, index)
            }
        }
        let logger = Logger(service: "adapter-test", sink: LogSink(fileDescriptor: open("/dev/null", O_WRONLY)))
        let metrics = MetricsRegistry()
        server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0),
            responder: RouterResponder(router: router, logger: logger, metrics: metrics),
            logger: logger, metrics: metrics)
        try await server.start()
    }

    var baseURL: String { "http://127.0.0.1:\(server.port)" }
    var requests: [RecordedRequest] { log.all }
    func requests(_ method: String, _ path: String) -> [RecordedRequest] {
        log.all.filter { $0.method == method && $0.path == path }
    }

    func stop() async { await server.shutdown() }
}

extension AdapterProviderServer.Route {
    /// The same reply to every call.
    static func on(_ method: HTTPMethod, _ template: String, _ response: @escaping @Sendable () -> HTTPResponse)
        -> Self
    {
        Self(method: method, template: template) { _, _, _ in response() }
    }

    /// Replies in order; the last one repeats.
    static func sequence(_ method: HTTPMethod, _ template: String, _ responses: [HTTPResponse]) -> Self {
        Self(method: method, template: template) { _, _, index in responses[min(index, responses.count - 1)] }
    }

    static func json(_ method: HTTPMethod, _ template: String, status: HTTPStatus = .ok, _ body: String) -> Self {
        on(method, template) { AdapterReply.json(status, body) }
    }
}

enum AdapterReply {
    static func json(_ status: HTTPStatus = .ok, _ body: String) -> HTTPResponse {
        HTTPResponse.json(status, bytes: Array(body.utf8))
    }
}

/// Fixtures shared by the adapter tests.
enum AdapterFixtures {
    /// Coffer's client, as production passes it (plain http goes to its own event-loop client). Its
    /// default retry policy is on, so tests that see exactly one request prove the adapters turn it off.
    static let client = CofferHTTPClient()

    static func connector(
        _ provider: ProviderName, base: String, livemode: Bool = false,
        credentials: [String: String], timeout: Duration = .seconds(5),
        connectorID: String = "conn_test_1"
    ) -> ProviderConnector {
        ProviderConnector(
            connectorID: connectorID, provider: provider, livemode: livemode, apiBaseURL: base,
            credentials: credentials, timeout: timeout)
    }

    static func paymentRequest(
        id: String = "pay_coffer_1", amount: Money = Money(minorUnits: 1050, currency: .usd),
        capture: CaptureMethod = .automatic, description: String? = "Order #42 & co",
        email: String? = "buyer+1@example.com", paymentMethod: String? = nil,
        returnURL: String? = "https://shop.example/return?order=42", key: String = "idem-create-1"
    ) -> ProviderPaymentRequest {
        ProviderPaymentRequest(
            paymentID: id, amount: amount, captureMethod: capture, description: description,
            customerEmail: email, paymentMethod: paymentMethod, returnURL: returnURL,
            idempotencyKey: key)
    }

    static func refundRequest(
        id: String = "re_coffer_1", payment: String, amount: Money, reason: String? = nil,
        key: String = "idem-refund-1"
    ) -> ProviderRefundRequest {
        ProviderRefundRequest(
            refundID: id, providerPaymentID: payment, amount: amount, reason: reason,
            idempotencyKey: key)
    }
}

/// Runs `body`, which must throw a `ProviderError` of `kind` (and `code`, when given); returns it.
@discardableResult
func assertProviderError<T>(
    _ kind: ProviderError.Kind, code: String? = nil, file: StaticString = #filePath, line: UInt = #line,
    _ body: () async throws(ProviderError) -> T
) async -> ProviderError? {
    do {
        let value = try await body()
        XCTFail("expected \(kind), got \(value)", file: file, line: line)
        return nil
    } catch {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        if let code { XCTAssertEqual(error.code, code, "\(error)", file: file, line: line) }
        return error
    }
}

/// A TCP port that accepts connections (the kernel completes them) but never reads or answers.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw SocketError(operation: "bind", errno: errno) }
        port = Self.localPort(fd)
    }

    deinit { close(fd) }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func localPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let port = localPort(fd)
        close(fd)
        return port
    }
}
