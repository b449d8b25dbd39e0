/// The bytes a parser has received but not yet consumed.
///
/// Consuming only moves `readIndex`; consumed bytes are dropped when everything has been read
/// (free: the array keeps its capacity) or, for a buffer that is never fully drained (a
/// pipelining client), once the dead prefix is both large and at least half the storage, so
/// the memmove cost stays amortised O(1) per byte instead of O(n) per request.
struct HTTPByteBuffer: Sendable {
    private var storage: [UInt8] = []
    private var readIndex = 0

    /// Dead prefix size below which compaction is never worth a memmove.
    private static let compactionThreshold = 16 * 1024

    /// Unconsumed bytes.
    var count: Int { storage.count - readIndex }

    var isEmpty: Bool { readIndex == storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        compactIfWorthIt()
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        compactIfWorthIt()
        storage.append(contentsOf: bytes)
    }

    /// Marks `n` unconsumed bytes as read.
    mutating func consume(_ n: Int) {
        readIndex = min(readIndex + max(n, 0), storage.count)
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: true)
            readIndex = 0
        }
    }

    /// Copies out and consumes the next `n` bytes (at most `count`).
    mutating func take(_ n: Int) -> [UInt8] {
        let n = min(max(n, 0), count)
        let bytes = Array(storage[readIndex..<(readIndex + n)])
        consume(n)
        return bytes
    }

    /// The unconsumed bytes as one contiguous buffer, indexed from 0.
    func withUnconsumedBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let start = readIndex
        let result: Result<R, E> = storage.withUnsafeBufferPointer { all in
            do throws(E) {
                return .success(try body(UnsafeBufferPointer(rebasing: all[start...])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Drops everything, e.g. once the parser has failed and will read no more.
    mutating func removeAll() {
        storage = []
        readIndex = 0
    }

    private mutating func compactIfWorthIt() {
        if readIndex >= Self.compactionThreshold, readIndex * 2 >= storage.count {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
