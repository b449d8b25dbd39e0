/// A value in a log line's metadata. No floating point: durations are logged as integer milliseconds.
public enum LogValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case array([LogValue])
    case dictionary([String: LogValue])
    case null
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByStringInterpolation
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: LogValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, LogValue)...) {
        self = .dictionary(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension LogValue {
    public static func integer<I: BinaryInteger>(_ value: I) -> LogValue { .int(Int64(clamping: value)) }
    public static func optional(_ value: String?) -> LogValue { value.map { .string($0) } ?? .null }
    public static func duration(milliseconds duration: Duration) -> LogValue {
        let (seconds, attoseconds) = duration.components
        return LogValue.int(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
