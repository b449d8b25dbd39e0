/// Where each event type goes: a routing table in code (DESIGN.md), subscriber base URLs from config.
/// A rule matches an exact type (`payment.captured`) or a prefix ending in `.` (`provider.payout.`).
public struct EventRoutes: Sendable {
    public struct Subscriber: Sendable, Hashable {
        public let name: String
        public let baseURL: String

        public init(name: String, baseURL: String) {
            self.name = name
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        }
    }

    private let rules: [(pattern: String, subscribers: [Subscriber])]

    public init(_ rules: [(String, [Subscriber])]) {
        self.rules = rules.map { (pattern: $0.0, subscribers: $0.1) }
    }

    public var subscribers: [Subscriber] {
        var seen = Set<Subscriber>()
        return rules.flatMap(\.subscribers).filter { seen.insert($0).inserted }
    }

    public func subscribers(for type: String) -> [Subscriber] {
        var result: [Subscriber] = []
        for rule in rules where rule.pattern == type || (rule.pattern.hasSuffix(".") && type.hasPrefix(rule.pattern)) {
            for subscriber in rule.subscribers where !result.contains(subscriber) { result.append(subscriber) }
        }
        return result
    }
}
