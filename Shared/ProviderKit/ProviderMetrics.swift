import Shared

/// `coffer_provider_calls_total{provider,operation,outcome}` and their latency.
public struct ProviderMetrics: Sendable {
    public let calls: MetricFamily<Counter>
    public let latency: MetricFamily<Histogram>

    public init(registry: MetricsRegistry) {
        calls = registry.counter(
            "coffer_provider_calls_total", help: "Calls to payment providers by outcome.",
            labels: ["provider", "operation", "outcome"])
        latency = registry.histogram(
            "coffer_provider_call_duration_seconds", help: "Provider call latency.", labels: ["provider", "operation"])
    }

    public func record(provider: String, operation: String, outcome: String, since start: ContinuousClock.Instant) {
        calls.labels([provider, operation, outcome]).increment()
        latency.labels([provider, operation]).observe(ContinuousClock.now - start)
    }
}
