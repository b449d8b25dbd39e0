/// Which service may send which events to this one: a consumer's table in code. An event whose
/// `source` is not the verified sender, or whose type that sender may not send, is refused for good
/// (dead-lettered at the sender): a service holding one pair secret cannot speak for another, and
/// ingress, facing the internet, can never credit a payee or upsert a tenant. Patterns are exact
/// types or prefixes ending in `.`, as in `EventRoutes` (`*`, any type, is for test stand-ins only).
public struct EventSenders: Sendable {
    private let table: [String: [String]]

    public init(_ table: [String: [String]]) { self.table = table }

    public var senders: Set<String> { Set(table.keys) }

    public func allows(_ sender: String, type: String) -> Bool {
        table[sender]?.contains { $0 == type || $0 == "*" || ($0.hasSuffix(".") && type.hasPrefix($0)) } ?? false
    }
}
