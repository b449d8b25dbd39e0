import Shared

/// A message template's text with `{{variable}}` placeholders (issue 11's templates). Checked when it
/// is saved — every placeholder well formed and one of the variables its event type offers — and
/// rendered with values escaped for HTML bodies, so a payee's name cannot inject markup into an email.
struct MessageTemplate: Sendable, Equatable {
    /// The template as written, and the parts it splits into.
    let source: String
    let parts: [Part]

    enum Part: Sendable, Equatable {
        case text(String)
        case variable(String)
    }

    /// Parses `source`; refuses an unclosed or empty `{{…}}`, a name that is not `[a-z0-9_.]`, and
    /// any variable not in `allowed` (naming it), so a typo is caught at save time, not in a sent message.
    init(_ source: String, allowed: Set<String>, param: String = "body") throws(DomainError) {
        var parts: [Part] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                throw DomainError.invalid("A `{{` is not closed.", code: "template_malformed", param: param)
            }
            let name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.utf8.count <= 64,
                name.unicodeScalars.allSatisfy({
                    ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "."
                })
            else {
                throw DomainError.invalid(
                    "`{{\(name.prefix(64))}}` is not a variable name (lowercase letters, digits, `_` and `.`).",
                    code: "template_malformed", param: param)
            }
            guard allowed.contains(name) else {
                throw DomainError.invalid(
                    "`{{\(name)}}` is not offered by this event; it offers \(allowed.sorted().joined(separator: ", ")).",
                    code: "template_variable_unknown", param: param)
            }
            parts.append(.variable(name))
            rest = after[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.source = source
        self.parts = parts
    }

    /// The variables it uses.
    var variables: Set<String> {
        Set(parts.compactMap { if case .variable(let name) = $0 { name } else { nil } })
    }

    /// The message: each variable's value (empty when absent), escaped when `html`.
    func render(_ values: [String: String], html: Bool) -> String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .variable(let name): html ? Self.escapeHTML(values[name] ?? "") : values[name] ?? ""
            }
        }.joined()
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
