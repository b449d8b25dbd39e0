import Foundation
import Synchronization

/// Prefixed, time-ordered ids such as `pay_01JD3XK5M7Q8R9S0T1V2W3X4Y5`: the prefix, `_`, and a
/// 26-character ULID (48-bit Unix milliseconds + 80 random bits, Crockford base32).
///
/// Ids sort as strings in creation order: within one millisecond in this process the random part is
/// incremented instead of redrawn, and a clock that steps backwards keeps the last time, so a later
/// id never sorts before an earlier one.
public enum CofferID {
    private static let generator = Mutex(ULIDGenerator())

    public static func generate(_ prefix: IDPrefix) -> String {
        let now = UInt64(clamping: Timestamp.nowUnixMilliseconds())
        let ulid = generator.withLock { $0.next(now: now) }
        let prefixBytes = prefix.rawValue.utf8
        let length = prefixBytes.count + 1 + ULID.encodedLength
        return String(unsafeUninitializedCapacity: length) { buffer in
            var index = 0
            for byte in prefixBytes {
                buffer[index] = byte
                index += 1
            }
            buffer[index] = UInt8(ascii: "_")
            ulid.encode(into: buffer, at: index + 1)
            return length
        }
    }

    /// The smallest id of `prefix` that `generate` could return at `date` (random part zero): every id
    /// created before `date` sorts below it, so time ranges become id ranges (retention by index).
    public static func lowerBound(_ prefix: IDPrefix, at date: Date) -> String {
        let milliseconds = UInt64(clamping: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
        let ulid = ULID(milliseconds: milliseconds, randomHigh: 0, randomLow: 0)
        let prefixBytes = prefix.rawValue.utf8
        let length = prefixBytes.count + 1 + ULID.encodedLength
        return String(unsafeUninitializedCapacity: length) { buffer in
            var index = 0
            for byte in prefixBytes {
                buffer[index] = byte
                index += 1
            }
            buffer[index] = UInt8(ascii: "_")
            ulid.encode(into: buffer, at: index + 1)
            return length
        }
    }

    /// Checks the exact shape `<prefix>_<26 base32 chars>`: lets routes answer 404 to a malformed or
    /// wrong-type id without a database round trip.
    public static func isValid(_ id: String, prefix: IDPrefix) -> Bool {
        let utf8 = id.utf8
        let prefixBytes = prefix.rawValue.utf8
        guard utf8.count == prefixBytes.count + 1 + ULID.encodedLength, utf8.starts(with: prefixBytes) else {
            return false
        }
        let rest = id[...].utf8.dropFirst(prefixBytes.count)
        guard rest.first == UInt8(ascii: "_") else { return false }
        return ULID.decodeMilliseconds(rest.dropFirst()) != nil
    }

    /// The creation time embedded in any well-formed Coffer id (prefix of lowercase letters), to the millisecond.
    public static func timestamp(of id: String) -> Date? {
        let utf8 = id[...].utf8
        guard let separator = utf8.lastIndex(of: UInt8(ascii: "_")), separator != utf8.startIndex,
            utf8[..<separator].allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }),
            let milliseconds = ULID.decodeMilliseconds(utf8[utf8.index(after: separator)...])
        else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }
}
