import Synchronization

/// Request ids: `req_` + a random per-process prefix + a counter. Unique across processes and
/// restarts, and far cheaper than drawing random bytes for every request.
enum RequestIDs {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let nonce = generator.next() & 0xFFFF_FFFF_FFFF
        let hex = String(nonce, radix: 16)
        return "req_" + String(repeating: "0", count: 12 - hex.count) + hex
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let hex = String(value, radix: 16)
        return prefix + String(repeating: "0", count: max(0, 10 - hex.count)) + hex
    }
}
