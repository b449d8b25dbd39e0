import Synchronization

/// A monotonically increasing count (one label combination of a counter family).
public final class Counter: Sendable {
    private let storage = Atomic<Int64>(0)

    public init() {}

    public func increment(by amount: Int64 = 1) {
        storage.wrappingAdd(amount, ordering: .relaxed)
    }

    public var value: Int64 { storage.load(ordering: .relaxed) }
}

/// A value that goes up and down (one label combination of a gauge family).
public final class Gauge: Sendable {
    private let storage = Atomic<Int64>(0)

    public init() {}

    public func set(_ value: Int64) { storage.store(value, ordering: .relaxed) }
    public func increment(by amount: Int64 = 1) { storage.wrappingAdd(amount, ordering: .relaxed) }
    public func decrement(by amount: Int64 = 1) { storage.wrappingSubtract(amount, ordering: .relaxed) }
    public var value: Int64 { storage.load(ordering: .relaxed) }
}
