import Shared

/// Defensive masking of `before`/`after` values before they are stored. Callers mask secrets
/// themselves; this also replaces the value under any key `LogRedaction` calls sensitive, so a
/// forgotten field never lands in an append-only table, where it could not be removed.
enum AuditRedaction {
    /// Deeper values are cut (an audit trail needs the shape of a change, not a whole document, and
    /// every level must be readable back for verification).
    static let maxDepth = 32
    static let truncated = JSONValue.string("[TRUNCATED]")

    static func mask(_ value: JSONValue) -> JSONValue { mask(value, depth: 0) }

    private static func mask(_ value: JSONValue, depth: Int) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(storable(text))
        case .array(let elements):
            guard depth < maxDepth else { return truncated }
            return .array(elements.map { mask($0, depth: depth + 1) })
        case .object(let members):
            guard depth < maxDepth else { return truncated }
            var out: [String: JSONValue] = [:]
            out.reserveCapacity(members.count)
            for (key, member) in members {
                let masked =
                    LogRedaction.isSensitive(key) && !member.isNull
                    ? JSONValue.string(LogRedaction.placeholder)
                    : mask(member, depth: depth + 1)
                out[storable(key)] = masked
            }
            return .object(out)
        case .null, .bool, .number:
            return value
        }
    }

    /// `jsonb` refuses U+0000 in strings: replace it rather than fail the caller's transaction.
    private static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : Character($0) })
    }
}
