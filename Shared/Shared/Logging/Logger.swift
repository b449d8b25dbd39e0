/// A JSON-lines logger. A value type: copy it and add metadata (`correlation_id`, `tenant_id`, …)
/// for a request or job; every line carries `service`, `level`, `correlation_id` and `tenant_id`.
/// Values under secret-looking keys are redacted (see `LogRedaction`).
public struct Logger: Sendable {
    public let service: String
    public var minimumLevel: LogLevel
    public var metadata: [String: LogValue]
    public let sink: LogSink

    public init(service: String, minimumLevel: LogLevel = .info, sink: LogSink = .standardOutput) {
        self.service = service
        self.minimumLevel = minimumLevel
        self.metadata = [:]
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> LogValue? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public var correlationID: String? {
        get { if case .string(let value)? = metadata["correlation_id"] { value } else { nil } }
        set { metadata["correlation_id"] = newValue.map { .string($0) } }
    }

    public var tenantID: String? {
        get { if case .string(let value)? = metadata["tenant_id"] { value } else { nil } }
        set { metadata["tenant_id"] = newValue.map { .string($0) } }
    }

    /// A copy with more metadata, for passing into a narrower scope.
    public func with(_ extra: [String: LogValue]) -> Logger {
        var copy = self
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= minimumLevel }

    public func trace(_ message: @autoclosure () -> String, _ extra: LogFields = [:]) {
        log(.trace, message(), extra)
    }
    public func debug(_ message: @autoclosure () -> String, _ extra: LogFields = [:]) {
        log(.debug, message(), extra)
    }
    public func info(_ message: @autoclosure () -> String, _ extra: LogFields = [:]) {
        log(.info, message(), extra)
    }
    public func notice(_ message: @autoclosure () -> String, _ extra: LogFields = [:]) {
        log(.notice, message(), extra)
    }
    public func warning(_ message: @autoclosure () -> String, _ extra: LogFields = [:]) {
        log(.warning, message(), extra)
    }
    public func error(_ message: @autoclosure () -> String, _ extra: LogFields = [:]) {
        log(.error, message(), extra)
    }
    public func critical(_ message: @autoclosure () -> String, _ extra: LogFields = [:]) {
        log(.critical, message(), extra)
    }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ extra: LogFields = [:]) {
        guard level >= minimumLevel else { return }
        sink.append(
            LogLineFormatter.format(
                level: level, service: service, message: message(), metadata: metadata, extra: extra,
                unixMilliseconds: Timestamp.nowUnixMilliseconds()))
    }
}

/// Fields of one log line, in the order written. A `KeyValuePairs` keeps the literal syntax
/// (`["payment_id": .string(id)]`) without building a dictionary for every line.
public typealias LogFields = KeyValuePairs<String, LogValue>

/// Renders one log line. Fixed keys first (`ts`, `level`, `service`, `msg`, `correlation_id`,
/// `tenant_id`), then the logger's metadata sorted by key, then the line's own fields in order.
public enum LogLineFormatter {
    static let fixedKeys: Set<String> = ["ts", "level", "service", "msg", "correlation_id", "tenant_id"]

    public static func format(
        level: LogLevel, service: String, message: String, metadata: [String: LogValue],
        extra: LogFields, unixMilliseconds: Int64
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 320)
        writer.raw("{\"ts\":\"")
        writer.raw(Timestamp.format(unixMilliseconds: unixMilliseconds, fractional: true))
        writer.raw("\",\"level\":\"")
        writer.raw(level.description)
        writer.raw("\",\"service\":")
        writer.string(service)
        writer.raw(",\"msg\":")
        writer.string(message)
        func fixed(_ key: String) -> LogValue {
            for (name, value) in extra where name == key { return value }
            return metadata[key] ?? .null
        }
        writer.raw(",\"correlation_id\":")
        write(fixed("correlation_id"), key: "correlation_id", into: &writer)
        writer.raw(",\"tenant_id\":")
        write(fixed("tenant_id"), key: "tenant_id", into: &writer)
        if metadata.count > 2
            || (metadata.count > 0 && metadata["correlation_id"] == nil && metadata["tenant_id"] == nil)
        {
            for key in metadata.keys.sorted()
            where !fixedKeys.contains(key) && !extra.contains(where: { $0.key == key }) {
                writer.raw(UInt8(ascii: ","))
                writer.key(key)
                write(metadata[key] ?? .null, key: key, into: &writer)
            }
        }
        for (key, value) in extra where !fixedKeys.contains(key) {
            writer.raw(UInt8(ascii: ","))
            writer.key(key)
            write(value, key: key, into: &writer)
        }
        writer.raw("}\n")
        return writer.bytes
    }

    static func write(_ value: LogValue, key: String, into writer: inout JSONWriter) {
        let safe = LogRedaction.redact(key: key, value)
        switch safe {
        case .string(let text): writer.string(text)
        case .int(let number): writer.int(number)
        case .bool(let flag): writer.bool(flag)
        case .null: writer.null()
        case .array(let items):
            writer.raw(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { writer.raw(UInt8(ascii: ",")) }
                write(item, key: key, into: &writer)
            }
            writer.raw(UInt8(ascii: "]"))
        case .dictionary(let inner):
            writer.raw(UInt8(ascii: "{"))
            for (index, innerKey) in inner.keys.sorted().enumerated() {
                if index > 0 { writer.raw(UInt8(ascii: ",")) }
                writer.key(innerKey)
                write(inner[innerKey] ?? .null, key: innerKey, into: &writer)
            }
            writer.raw(UInt8(ascii: "}"))
        }
    }
}
