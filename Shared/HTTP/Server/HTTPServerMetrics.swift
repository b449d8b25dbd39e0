import Shared

/// Connection-level metrics of the server (request metrics by route live in the middleware).
struct HTTPServerMetrics: Sendable {
    let openConnections: Gauge
    let rejectedConnections: Counter
    let parseErrors: MetricFamily<Counter>
    let overloadRejections: Counter
    let timeouts: MetricFamily<Counter>

    init(registry: MetricsRegistry) {
        openConnections = registry.gauge("coffer_http_open_connections", help: "Open client connections.").labels([])
        rejectedConnections = registry.counter(
            "coffer_http_rejected_connections_total", help: "Connections closed at once because of max connections."
        ).labels([])
        parseErrors = registry.counter(
            "coffer_http_parse_errors_total", help: "Requests refused by the HTTP parser, by reason.", labels: ["code"])
        overloadRejections = registry.counter(
            "coffer_http_overload_rejections_total", help: "Requests answered 503 because too many were in flight."
        ).labels([])
        timeouts = registry.counter(
            "coffer_http_timeouts_total", help: "Connections closed by a deadline, by phase.", labels: ["phase"])
    }
}
