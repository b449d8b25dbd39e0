import Synchronization

/// The kind of a metric family, as Prometheus names it.
public enum MetricKind: String, Sendable {
    case counter, gauge, histogram
}

/// All label combinations of one named metric. Children are created on first use and kept.
public final class MetricFamily<Child: AnyObject & Sendable>: Sendable {
    public let name: String
    public let help: String
    public let kind: MetricKind
    public let labelNames: [String]
    private let make: @Sendable () -> Child
    private let children = Mutex<[[String]: Child]>([:])

    init(name: String, help: String, kind: MetricKind, labelNames: [String], make: @escaping @Sendable () -> Child) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.make = make
    }

    /// The child for these label values (in `labelNames` order). Missing values become "".
    public func labels(_ values: String...) -> Child { labels(values) }

    public func labels(_ values: [String]) -> Child {
        var key = values
        if key.count != labelNames.count {
            key =
                Array(key.prefix(labelNames.count)) + Array(repeating: "", count: max(0, labelNames.count - key.count))
        }
        return children.withLock { children in
            if let existing = children[key] { return existing }
            let child = make()
            children[key] = child
            return child
        }
    }

    func snapshotChildren() -> [([String], Child)] {
        children.withLock { children in children.map { ($0.key, $0.value) } }.sorted {
            $0.0.lexicographicallyPrecedes($1.0)
        }
    }
}

extension MetricFamily where Child == Counter {
    /// Increments the unlabelled child.
    public func increment(by amount: Int64 = 1) { labels([]).increment(by: amount) }
}

extension MetricFamily where Child == Gauge {
    public func set(_ value: Int64) { labels([]).set(value) }
}

extension MetricFamily where Child == Histogram {
    public func observe(_ duration: Duration) { labels([]).observe(duration) }
}
