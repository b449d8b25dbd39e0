// TEMPORARY perf probe; replaced by the real sandbox.
import HTTP
import Shared
import Foundation
let logger = Logger(service: "probe", sink: LogSink.file(path: "/tmp/probe-access.log"))
let metrics = MetricsRegistry()
let router = Router()
router.get("/health/live") { _, _ in .json(.ok, bytes: Array(#"{"status":"ok"}"#.utf8)) }
var config = HTTPServerConfiguration(host: "127.0.0.1", port: Int(ProcessInfo.processInfo.environment["PORT"] ?? "8099")!)
let server = HTTPServer(configuration: config, responder: RouterResponder(router: router, logger: logger, metrics: metrics), logger: logger, metrics: metrics)
try await server.run()
