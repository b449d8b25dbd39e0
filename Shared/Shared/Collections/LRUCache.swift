/// A bounded map that forgets the least recently used entry when full, so a flood of distinct keys
/// (unknown API keys, scanned addresses) evicts only the coldest entries instead of wiping the warm
/// ones. O(1) per operation: a dictionary into slots linked in recency order. Not thread-safe: wrap
/// it in a `Mutex`.
public struct LRUCache<Key: Hashable, Value> {
    private struct Slot {
        var key: Key
        var value: Value
        var newer: Int  // towards the most recent; -1 at the head
        var older: Int  // towards the least recent; -1 at the tail
    }

    public let capacity: Int
    private var slots: [Slot] = []
    private var index: [Key: Int] = [:]
    private var newest = -1
    private var oldest = -1

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { index.count }

    /// The value for `key`, marking it most recently used.
    public mutating func value(for key: Key) -> Value? {
        guard let position = index[key] else { return nil }
        promote(position)
        return slots[position].value
    }

    /// Stores `value` for `key` as the most recently used, evicting the least recently used when full.
    public mutating func set(_ value: Value, for key: Key) {
        if let position = index[key] {
            slots[position].value = value
            promote(position)
            return
        }
        let position: Int
        if slots.count < capacity {
            position = slots.count
            slots.append(Slot(key: key, value: value, newer: -1, older: -1))
        } else {
            position = oldest
            index[slots[position].key] = nil
            unlink(position)
            slots[position] = Slot(key: key, value: value, newer: -1, older: -1)
        }
        index[key] = position
        linkAsNewest(position)
    }

    /// Forgets `key`; returns its value if it was there. Its slot is reused by the next new key.
    @discardableResult
    public mutating func remove(_ key: Key) -> Value? {
        guard let position = index.removeValue(forKey: key) else { return nil }
        let value = slots[position].value
        unlink(position)
        // Keep `slots` dense: move the last slot into the freed position.
        let last = slots.count - 1
        if position != last {
            let moved = slots[last]
            slots[position] = moved
            index[moved.key] = position
            if moved.newer >= 0 { slots[moved.newer].older = position } else { newest = position }
            if moved.older >= 0 { slots[moved.older].newer = position } else { oldest = position }
        }
        slots.removeLast()
        return value
    }

    public mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        index.removeAll(keepingCapacity: true)
        newest = -1
        oldest = -1
    }

    private mutating func promote(_ position: Int) {
        guard position != newest else { return }
        unlink(position)
        linkAsNewest(position)
    }

    private mutating func unlink(_ position: Int) {
        let newer = slots[position].newer, older = slots[position].older
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        slots[position].newer = -1
        slots[position].older = -1
    }

    private mutating func linkAsNewest(_ position: Int) {
        slots[position].older = newest
        slots[position].newer = -1
        if newest >= 0 { slots[newest].newer = position }
        newest = position
        if oldest < 0 { oldest = position }
    }
}
