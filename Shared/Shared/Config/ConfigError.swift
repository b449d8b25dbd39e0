/// Every problem found while reading configuration, reported together so an operator fixes them
/// in one pass. A process that gets one exits with code 78 (EX_CONFIG).
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public static let exitCode: Int32 = 78
    public let service: String
    public let problems: [String]

    public var description: String {
        var text =
            "\(service): configuration is invalid (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
        for problem in problems { text += "  - \(problem)\n" }
        return text
    }
}
