import Foundation
import Shared
import TestSupport
import XCTest

@testable import HTTP

/// Starts a real server on an ephemeral port with a small router for live-socket tests.
final class ServerTestHarness: @unchecked Sendable {
    let server: HTTPServer
    let metrics = MetricsRegistry()
    let logSink: LogSink
    var port: Int { server.port }

    init(configure: (inout HTTPServerConfiguration) -> Void = { _ in }, routes: (Router) -> Void = { _ in })
        async throws
    {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let router = Router()
        router.get("/hello") { _, _ in .text(.ok, "hello") }
        router.post("/echo") { request, _ in HTTPResponse(status: .ok, body: request.body) }
        router.post("/small", bodyLimit: 16) { request, _ in .text(.ok, "\(request.body.count)") }
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .milliseconds(300))
            return .text(.ok, "slow")
        }
        router.get("/items/{id}") { _, context in .text(.ok, "item \(context.parameter("id"))") }
        routes(router)
        logSink = LogSink(fileDescriptor: open("/dev/null", O_WRONLY))
        let logger = Logger(service: "test", sink: logSink)
        server = HTTPServer(
            configuration: configuration,
            responder: RouterResponder(router: router, logger: logger, metrics: metrics),
            logger: logger, metrics: metrics)
        try await server.start()
    }

    func stop() async { await server.shutdown() }

    func connect(readTimeout: Duration = .seconds(5)) throws -> RawSocket {
        try RawSocket(port: port, readTimeout: readTimeout)
    }
}
