/// Hands out strictly increasing ULIDs: fresh randomness in a new millisecond, the previous value
/// plus one within the same millisecond or when the clock steps back. Not synchronized itself;
/// `CofferID` keeps the process-wide one behind a mutex.
struct ULIDGenerator {
    private(set) var last: ULID?

    mutating func next(now: UInt64) -> ULID {
        let next: ULID
        if let previous = last, now <= previous.milliseconds {
            // In the astronomically rare case the 80 random bits wrap, borrow the next millisecond.
            next = previous.incremented() ?? Self.fresh(milliseconds: previous.milliseconds + 1)
        } else {
            next = Self.fresh(milliseconds: now)
        }
        last = next
        return next
    }

    private static func fresh(milliseconds: UInt64) -> ULID {
        var random = SystemRandomNumberGenerator()
        return ULID(
            milliseconds: milliseconds & 0xFFFF_FFFF_FFFF,
            randomHigh: UInt16.random(in: .min ... .max, using: &random),
            randomLow: random.next())
    }
}
