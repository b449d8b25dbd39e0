/// The 128 bits behind a Coffer id: 48 bits of Unix milliseconds, then 80 random bits, written as
/// 26 Crockford base32 characters (the first carries only 3 bits, so it is `0`…`7`).
struct ULID: Sendable, Equatable {
    static let encodedLength = 26

    var milliseconds: UInt64  // low 48 bits used
    var randomHigh: UInt16  // top 16 of the 80 random bits
    var randomLow: UInt64  // bottom 64

    /// The next value in the same millisecond: the 80-bit random part plus one; nil when it would wrap.
    func incremented() -> ULID? {
        var next = self
        let (low, carry) = randomLow.addingReportingOverflow(1)
        next.randomLow = low
        if carry {
            let (high, wrapped) = randomHigh.addingReportingOverflow(1)
            guard !wrapped else { return nil }
            next.randomHigh = high
        }
        return next
    }

    /// Appends the 26 characters, most significant first, so string order equals numeric order.
    func encode(into output: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        let alphabet = CrockfordBase32.alphabet
        // Time: 10 characters × 5 bits = 50 bits, of which the top 2 are zero.
        var time = milliseconds
        for offset in stride(from: 9, through: 0, by: -1) {
            output[start + offset] = alphabet[Int(time & 31)]
            time >>= 5
        }
        // Random: 16 characters × 5 bits = 80 bits, taken from the low 64 first.
        var low = randomLow
        var high = UInt64(randomHigh)
        for offset in stride(from: 25, through: 10, by: -1) {
            output[start + offset] = alphabet[Int(low & 31)]
            low = (low >> 5) | ((high & 31) << 59)
            high >>= 5
        }
    }

    /// Decodes the time part of 26 base32 characters; nil if any character is outside the alphabet or
    /// the value does not fit 128 bits (first character above `7`).
    static func decodeMilliseconds(_ text: Substring.UTF8View) -> UInt64? {
        guard text.count == encodedLength else { return nil }
        var milliseconds: UInt64 = 0
        var position = 0
        for byte in text {
            let value = CrockfordBase32.values[Int(byte)]
            guard value != 0xFF else { return nil }
            if position == 0 && value > 7 { return nil }
            if position < 10 { milliseconds = milliseconds << 5 | UInt64(value) }
            position += 1
        }
        return milliseconds
    }
}
