import Shared

/// Listening address, limits and deadlines of an HTTP server. Every value is configuration.
public struct HTTPServerConfiguration: Sendable {
    public var host: String = "0.0.0.0"
    public var port: Int = 8080
    public var backlog: Int32 = 4096
    public var limits = HTTPParserLimits()
    /// From a request's first byte to the end of its head (slowloris protection).
    public var headerReadTimeout: Duration = .seconds(10)
    /// From the end of the head to the end of the body.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// How long a keep-alive connection may sit idle between requests.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a response may wait for a client that does not read it.
    public var writeTimeout: Duration = .seconds(30)
    public var maxConnections: Int = 10_000
    /// Requests being handled at once; above this the server answers 503 with `Retry-After`.
    public var maxInFlightRequests: Int = 4_096
    /// How long shutdown waits for in-flight requests before closing their connections.
    public var shutdownGracePeriod: Duration = .seconds(20)

    public init(host: String = "0.0.0.0", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    /// Reads `HTTP_*` variables; `port` is the service's default port (overridden by `PORT`).
    public static func read(from reader: inout ConfigReader, defaultPort: Int) -> HTTPServerConfiguration {
        var config = HTTPServerConfiguration(
            host: reader.string("HTTP_HOST", default: "0.0.0.0"),
            port: reader.int("PORT", default: defaultPort, range: 0...65535))
        config.limits.maxRequestLineBytes = reader.int("HTTP_MAX_URI_BYTES", default: 8 * 1024, range: 256...1 << 20)
        config.limits.maxHeaderBytes = reader.int("HTTP_MAX_HEADER_BYTES", default: 16 * 1024, range: 1024...1 << 20)
        config.limits.maxHeaderCount = reader.int("HTTP_MAX_HEADER_COUNT", default: 100, range: 8...10_000)
        config.limits.maxBodyBytes = reader.int("HTTP_MAX_BODY_BYTES", default: 1 << 20, range: 0...1 << 30)
        config.headerReadTimeout = reader.duration(
            "HTTP_HEADER_TIMEOUT", default: .seconds(10), minimum: .milliseconds(100))
        config.bodyReadTimeout = reader.duration(
            "HTTP_BODY_TIMEOUT", default: .seconds(30), minimum: .milliseconds(100))
        config.idleTimeout = reader.duration("HTTP_IDLE_TIMEOUT", default: .seconds(60), minimum: .milliseconds(100))
        config.writeTimeout = reader.duration("HTTP_WRITE_TIMEOUT", default: .seconds(30), minimum: .milliseconds(100))
        config.maxConnections = reader.int("HTTP_MAX_CONNECTIONS", default: 10_000, range: 1...1_000_000)
        config.maxInFlightRequests = reader.int("HTTP_MAX_IN_FLIGHT", default: 4_096, range: 1...1_000_000)
        config.shutdownGracePeriod = reader.duration("SHUTDOWN_GRACE_PERIOD", default: .seconds(20))
        return config
    }
}
