/// Branch-free, table-free character arithmetic for the text encodings (hex, base64). The bytes
/// being encoded are often secrets (master keys, webhook secrets, MACs before comparison), and a
/// lookup table indexed by a secret leaks through the cache; these masks do not.
enum ConstantTimeASCII {
    /// All ones when `lower ≤ value ≤ upper`, else zero. Inputs are small, so the subtractions
    /// cannot overflow and the sign bit carries the comparison.
    @inline(__always)
    static func inRange(_ value: Int32, _ lower: Int32, _ upper: Int32) -> Int32 {
        ((lower &- 1 &- value) & (value &- upper &- 1)) >> 31
    }

    /// All ones when `value == other`, else zero.
    @inline(__always)
    static func equal(_ value: Int32, _ other: Int32) -> Int32 {
        inRange(value, other, other)
    }

    /// The base64 digit for `sextet` (0…63); `char62`/`char63` pick the alphabet.
    @inline(__always)
    static func base64Digit(_ sextet: Int32, char62: Int32, char63: Int32) -> UInt8 {
        let upper = inRange(sextet, 0, 25) & (sextet &+ 65)
        let lower = inRange(sextet, 26, 51) & (sextet &+ 71)
        let digit = inRange(sextet, 52, 61) & (sextet &- 4)
        let extra = (equal(sextet, 62) & char62) | (equal(sextet, 63) & char63)
        return UInt8(truncatingIfNeeded: upper | lower | digit | extra)
    }

    /// The value of base64 character `char` and a mask that is all ones when it is valid.
    @inline(__always)
    static func base64Value(_ char: UInt8, char62: Int32, char63: Int32) -> (value: Int32, valid: Int32) {
        let c = Int32(char)
        let upper = inRange(c, 65, 90)
        let lower = inRange(c, 97, 122)
        let digit = inRange(c, 48, 57)
        let is62 = equal(c, char62)
        let is63 = equal(c, char63)
        let value = (upper & (c &- 65)) | (lower & (c &- 71)) | (digit & (c &+ 4)) | (is62 & 62) | (is63 & 63)
        return (value, upper | lower | digit | is62 | is63)
    }

    /// The lower-case hex digit for `nibble` (0…15).
    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        let n = Int32(nibble)
        // '0' + n, plus the gap from ':' to 'a' when n ≥ 10.
        return UInt8(truncatingIfNeeded: n &+ 48 &+ (inRange(n, 10, 15) & 39))
    }

    /// The value of hex digit `char` (either case) and a mask that is all ones when it is valid.
    @inline(__always)
    static func hexValue(_ char: UInt8) -> (value: Int32, valid: Int32) {
        let c = Int32(char)
        let digit = inRange(c, 48, 57)
        let lower = inRange(c, 97, 102)
        let upper = inRange(c, 65, 70)
        let value = (digit & (c &- 48)) | (lower & (c &- 87)) | (upper & (c &- 55))
        return (value, digit | lower | upper)
    }
}
