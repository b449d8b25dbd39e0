import HTTP
import Shared

/// `coffer_ingress_webhooks_total{provider,outcome}` and the webhook latency histogram.
struct IngressMetrics: Sendable {
    let webhooks: MetricFamily<Counter>
    let latency: MetricFamily<Histogram>

    init(registry: MetricsRegistry) {
        webhooks = registry.counter(
            "coffer_ingress_webhooks_total", help: "Webhooks received, by provider and outcome.",
            labels: ["provider", "outcome"])
        latency = registry.histogram(
            "coffer_ingress_webhook_duration_seconds",
            help: "Time from a webhook's head to its answer (storage included), by provider.",
            labels: ["provider"])
    }

    func observe(provider: String, outcome: String, since start: UInt64) {
        webhooks.labels([provider, outcome]).increment()
        latency.labels([provider]).observe(Int64((MonotonicClock.nanoseconds() &- start) / 1000))
    }
}
