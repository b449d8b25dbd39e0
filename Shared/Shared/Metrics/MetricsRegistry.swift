import Synchronization

/// A process's metrics, exposed in the Prometheus text format at `/metrics`.
/// Registering the same name twice returns the existing family, so modules can declare what they use.
public final class MetricsRegistry: Sendable {
    private enum Entry {
        case counter(MetricFamily<Counter>)
        case gauge(MetricFamily<Gauge>)
        case histogram(MetricFamily<Histogram>)
    }

    private struct State {
        var order: [String] = []
        var entries: [String: Entry] = [:]
        var collectors: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func counter(_ name: String, help: String, labels: [String] = []) -> MetricFamily<Counter> {
        state.withLock { state in
            if case .counter(let family)? = state.entries[name] { return family }
            let family = MetricFamily<Counter>(name: name, help: help, kind: .counter, labelNames: labels) { Counter() }
            state.order.append(name)
            state.entries[name] = .counter(family)
            return family
        }
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> MetricFamily<Gauge> {
        state.withLock { state in
            if case .gauge(let family)? = state.entries[name] { return family }
            let family = MetricFamily<Gauge>(name: name, help: help, kind: .gauge, labelNames: labels) { Gauge() }
            state.order.append(name)
            state.entries[name] = .gauge(family)
            return family
        }
    }

    public func histogram(_ name: String, help: String, labels: [String] = [], buckets: HistogramBuckets = .latency)
        -> MetricFamily<Histogram>
    {
        state.withLock { state in
            if case .histogram(let family)? = state.entries[name] { return family }
            let family = MetricFamily<Histogram>(name: name, help: help, kind: .histogram, labelNames: labels) {
                Histogram(buckets: buckets)
            }
            state.order.append(name)
            state.entries[name] = .histogram(family)
            return family
        }
    }

    /// Runs before every render, to refresh gauges that are read rather than pushed (pool sizes, queue depths).
    public func addCollector(_ collect: @escaping @Sendable () -> Void) {
        state.withLock { $0.collectors.append(collect) }
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func render() -> String {
        let collectors = state.withLock { $0.collectors }
        for collect in collectors { collect() }
        let (order, entries) = state.withLock { ($0.order, $0.entries) }
        var out = ""
        out.reserveCapacity(4096)
        for name in order {
            guard let entry = entries[name] else { continue }
            switch entry {
            case .counter(let family):
                PrometheusText.header(family.name, family.help, family.kind, into: &out)
                for (values, child) in family.snapshotChildren() {
                    PrometheusText.sample(family.name, family.labelNames, values, String(child.value), into: &out)
                }
            case .gauge(let family):
                PrometheusText.header(family.name, family.help, family.kind, into: &out)
                for (values, child) in family.snapshotChildren() {
                    PrometheusText.sample(family.name, family.labelNames, values, String(child.value), into: &out)
                }
            case .histogram(let family):
                PrometheusText.header(family.name, family.help, family.kind, into: &out)
                for (values, child) in family.snapshotChildren() {
                    PrometheusText.histogram(family, values, child, into: &out)
                }
            }
        }
        return out
    }
}
