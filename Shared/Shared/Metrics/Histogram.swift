import Synchronization

/// Bucket upper bounds in integer base units, with the divisor that turns them into the exposed unit
/// (latencies are kept in microseconds and exposed in seconds, without floating point).
public struct HistogramBuckets: Sendable, Equatable {
    public let bounds: [Int64]
    public let divisor: Int64

    public init(bounds: [Int64], divisor: Int64) {
        self.bounds = bounds.sorted()
        self.divisor = divisor
    }

    /// Request latencies from 100 µs to 10 s, exposed in seconds.
    public static let latency = HistogramBuckets(
        bounds: [
            100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
            1_000_000, 2_500_000, 5_000_000, 10_000_000,
        ],
        divisor: 1_000_000)

    /// Sizes in bytes from 256 B to 4 MiB.
    public static let bytes = HistogramBuckets(
        bounds: [256, 1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304], divisor: 1)
}

/// Counts observations into buckets (one label combination of a histogram family).
public final class Histogram: Sendable {
    public let buckets: HistogramBuckets
    private let counts: [Counter]  // per bucket, non-cumulative; the last is +Inf
    private let sum = Atomic<Int64>(0)
    private let total = Atomic<Int64>(0)

    public init(buckets: HistogramBuckets) {
        self.buckets = buckets
        self.counts = (0...buckets.bounds.count).map { _ in Counter() }
    }

    /// Records a value in base units (microseconds for `.latency`).
    public func observe(_ value: Int64) {
        var index = buckets.bounds.count
        // Few buckets: a linear scan beats binary search on branch prediction.
        for (position, bound) in buckets.bounds.enumerated() where value <= bound {
            index = position
            break
        }
        counts[index].increment()
        sum.wrappingAdd(value, ordering: .relaxed)
        total.wrappingAdd(1, ordering: .relaxed)
    }

    /// Records a duration into a `.latency`-style histogram (microsecond base units).
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }

    public struct Snapshot: Sendable {
        /// Cumulative counts per bound, then +Inf.
        public let cumulative: [Int64]
        public let sum: Int64
        public let count: Int64
    }

    public func snapshot() -> Snapshot {
        var running: Int64 = 0
        var cumulative: [Int64] = []
        cumulative.reserveCapacity(counts.count)
        for count in counts {
            running += count.value
            cumulative.append(running)
        }
        return Snapshot(
            cumulative: cumulative, sum: sum.load(ordering: .relaxed), count: total.load(ordering: .relaxed))
    }

    /// The smallest bucket bound at or under which `quantile` (per mille) of observations fall, in base units.
    /// Nil when empty; `Int64.max` when the quantile lands in +Inf.
    public func quantileUpperBound(perMille: Int64) -> Int64? {
        let snap = snapshot()
        guard snap.count > 0 else { return nil }
        let target = (snap.count * perMille + 999) / 1000
        for (index, cumulative) in snap.cumulative.enumerated() where cumulative >= target {
            return index < buckets.bounds.count ? buckets.bounds[index] : Int64.max
        }
        return Int64.max
    }
}
