/// Builds provider URLs from the connector's base URL. Object ids come from responses and from
/// Coffer's callers, so each is percent-encoded as one path segment: an id such as `x/../../v1/refunds`
/// cannot reach another endpoint.
public enum ProviderURL {
    /// `base` (trailing slashes ignored) plus `path`, whose `{}` placeholders are filled in order by
    /// `ids`, each encoded as a segment: `url(base, "/v1/payment_intents/{}/capture", ids: [id])`.
    public static func url(_ base: String, _ path: String, ids: [String] = [], query: [(String, String)] = []) -> String
    {
        var result = base
        while result.hasSuffix("/") { result.removeLast() }
        var remaining = ids[...]
        var pieces = path.split(separator: "{}", omittingEmptySubsequences: false).makeIterator()
        if let first = pieces.next() { result += first }
        while let piece = pieces.next() {
            result += encode(remaining.popFirst() ?? "")
            result += piece
        }
        if !query.isEmpty {
            result += "?" + query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        }
        return result
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters; `.` and `..` alone are encoded
    /// too, so they stay ids rather than becoming dot-segments a server might resolve.
    public static func encode(_ text: String) -> String {
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + hex(byte >> 4) + hex(byte & 0x0F)
            }
        }
        return out
    }

    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func hex(_ nibble: UInt8) -> String {
        String(UnicodeScalar(nibble < 10 ? 48 + nibble : 55 + nibble))
    }
}
