import Foundation

/// Reads typed configuration from environment variables, collecting every problem instead of stopping
/// at the first. `NAME_FILE` is accepted for any variable (for mounted secrets); secret values never
/// appear in error messages.
///
///     var reader = ConfigReader(service: "ingress")
///     let port = reader.int("PORT", default: 8080, range: 1...65535)
///     let url = reader.string("DATABASE_URL", secret: true)
///     try reader.finish()
public struct ConfigReader {
    public let service: String
    public private(set) var problems: [String] = []
    /// Names read, in order, with whether they are secret (for `.env.example` checks and docs).
    public private(set) var consulted: [(name: String, secret: Bool)] = []
    private let environment: [String: String]
    private let readFile: (String) throws -> String

    public init(
        service: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        readFile: @escaping (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) {
        self.service = service
        self.environment = environment
        self.readFile = readFile
    }

    /// Throws one `ConfigError` listing every problem, if there were any.
    public func finish() throws(ConfigError) {
        if !problems.isEmpty { throw ConfigError(service: service, problems: problems) }
    }

    public mutating func problem(_ message: String) { problems.append(message) }

    /// The raw value of `name` or of the file named by `name_FILE`; nil when neither is set.
    public mutating func raw(_ name: String, secret: Bool = false) -> String? {
        consulted.append((name, secret))
        let direct = environment[name].flatMap { $0.isEmpty ? nil : $0 }
        let filePath = environment[name + "_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        switch (direct, filePath) {
        case (let value?, nil):
            return value
        case (nil, let path?):
            do {
                var contents = try readFile(path)
                while contents.hasSuffix("\n") || contents.hasSuffix("\r") { contents.removeLast() }
                if contents.isEmpty { problems.append("\(name)_FILE names an empty file (\(path))") }
                return contents.isEmpty ? nil : contents
            } catch {
                problems.append("\(name)_FILE names a file that cannot be read (\(path))")
                return nil
            }
        case (.some, .some):
            problems.append("\(name) and \(name)_FILE are both set; set only one")
            return nil
        case (nil, nil):
            return nil
        }
    }

    public mutating func string(_ name: String, default defaultValue: String? = nil, secret: Bool = false) -> String {
        if let value = raw(name, secret: secret) { return value }
        if let defaultValue { return defaultValue }
        problems.append("\(name) is required but not set")
        return ""
    }

    public mutating func optionalString(_ name: String, secret: Bool = false) -> String? {
        raw(name, secret: secret)
    }

    public mutating func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>? = nil) -> Int {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            problems.append("\(name) must be an integer, got \"\(text)\"")
            return defaultValue
        }
        if let range, !range.contains(value) {
            problems.append("\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return defaultValue
        }
        return value
    }

    public mutating func bool(_ name: String, default defaultValue: Bool) -> Bool {
        guard let text = raw(name) else { return defaultValue }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problems.append("\(name) must be true or false, got \"\(text)\"")
            return defaultValue
        }
    }

    /// Durations as `250ms`, `10s`, `5m`, `2h`, `30d`, or a bare number of seconds.
    public mutating func duration(_ name: String, default defaultValue: Duration, minimum: Duration = .zero) -> Duration
    {
        guard let text = raw(name) else { return defaultValue }
        guard let value = Self.parseDuration(text) else {
            problems.append("\(name) must be a duration such as 500ms, 10s, 5m, 2h or 30d, got \"\(text)\"")
            return defaultValue
        }
        if value < minimum {
            problems.append("\(name) must be at least \(minimum), got \"\(text)\"")
            return defaultValue
        }
        return value
    }

    /// An `http`/`https` URL (no trailing slash kept).
    public mutating func url(_ name: String, default defaultValue: String? = nil) -> String {
        let value = string(name, default: defaultValue)
        guard !value.isEmpty else { return value }
        guard let parsed = URL(string: value), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
            parsed.host != nil
        else {
            problems.append("\(name) must be an http(s) URL, got \"\(value)\"")
            return value
        }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// A comma-separated list; empty entries are ignored.
    public mutating func list(_ name: String, default defaultValue: [String] = [], secret: Bool = false) -> [String] {
        guard let text = raw(name, secret: secret) else { return defaultValue }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One of a fixed set of values.
    public mutating func choice(_ name: String, default defaultValue: String, allowed: [String]) -> String {
        guard let text = raw(name) else { return defaultValue }
        guard allowed.contains(text) else {
            problems.append("\(name) must be one of \(allowed.joined(separator: ", ")), got \"\(text)\"")
            return defaultValue
        }
        return text
    }

    public static func parseDuration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, millisPerUnit) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "ms" must win over "s": skip "s" when the text ends in "ms".
            if suffix == "s", trimmed.hasSuffix("ms") { continue }
            // An operator's typo must not trap the process: a product that overflows is refused.
            guard let count = Int64(number), count >= 0 else { return nil }
            let (millis, overflow) = count.multipliedReportingOverflow(by: millisPerUnit)
            return overflow ? nil : .milliseconds(millis)
        }
        guard let seconds = Int64(trimmed), seconds >= 0, seconds <= Int64.max / 1000 else { return nil }
        return .seconds(seconds)
    }
}
