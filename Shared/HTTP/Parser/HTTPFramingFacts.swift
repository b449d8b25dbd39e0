/// What the header section says about framing and routing, gathered while its lines are parsed
/// so no second pass over the fields (or string comparison) is needed.
struct HTTPFramingFacts: Sendable {
    var contentLengthCount = 0
    /// The Content-Length value, nil when absent or not a valid non-negative `Int`.
    var contentLength: Int?
    var transferEncodingCount = 0
    /// Whether the (single) Transfer-Encoding value is exactly `chunked`.
    var transferEncodingIsChunked = false
    var hostCount = 0

    mutating func record(_ bytes: UnsafeBufferPointer<UInt8>, name: Range<Int>, value: Range<Int>) {
        switch name.count {
        case 4 where HTTPSyntax.equalsIgnoringCase(bytes, name, "host"):
            hostCount += 1
        case 14 where HTTPSyntax.equalsIgnoringCase(bytes, name, "content-length"):
            contentLengthCount += 1
            contentLength = Self.decimal(bytes, value)
        case 17 where HTTPSyntax.equalsIgnoringCase(bytes, name, "transfer-encoding"):
            transferEncodingCount += 1
            transferEncodingIsChunked = HTTPSyntax.equalsIgnoringCase(bytes, value, "chunked")
        default:
            break
        }
    }

    /// 1*DIGIT only: no sign, inner space, hex or list, and no overflow.
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return nil }
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard HTTPSyntax.isDigit(byte) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
