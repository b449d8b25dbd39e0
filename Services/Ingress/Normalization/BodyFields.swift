import Foundation
import Shared

/// Typed reads of a webhook body's fields, each named by its dotted path so a refusal says which field
/// was wrong (never what it held). Every body is hostile until proven otherwise: a field that is
/// present with the wrong type throws; a missing field or JSON `null` reads as nil, and the caller
/// decides whether it was required.
struct BodyFields {
    /// The object (or any value) these reads start from.
    let root: JSONValue
    /// Where `root` sits in the body, for error messages (`""` at the top, `data.object` below it).
    let path: String

    /// Identifiers and type words longer than this are refused: no provider sends one, and they end up
    /// in indexed columns and log lines.
    static let maxIdentifierBytes = 255
    /// Free text (failure reasons, status words) is cut to this many Unicode scalars rather than refused:
    /// a long message must not cost us the event.
    static let maxTextScalars = 255

    init(_ root: JSONValue, path: String = "") {
        self.root = root
        self.path = path
    }

    /// The whole body, which every provider sends as a JSON object.
    static func body(_ body: JSONValue) throws(NormalizationError) -> BodyFields {
        guard case .object = body else { throw NormalizationError("The body is not a JSON object") }
        return BodyFields(body)
    }

    /// The full dotted name of `key` below this reader, as error messages print it.
    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value at `key` (a dotted path); nil when missing or `null`.
    func value(_ key: String) -> JSONValue? {
        guard let value = root.value(at: key), !value.isNull else { return nil }
        return value
    }

    /// The object at `key`, as a reader rooted there; nil when missing or `null`.
    func object(_ key: String) throws(NormalizationError) -> BodyFields? {
        guard let value = value(key) else { return nil }
        guard case .object = value else { throw invalid(key, "is not an object") }
        return BodyFields(value, path: name(key))
    }

    func requiredObject(_ key: String) throws(NormalizationError) -> BodyFields {
        guard let object = try object(key) else { throw missing(key) }
        return object
    }

    /// A string; nil when missing, `null` or empty (providers send `""` for "not set").
    func string(_ key: String) throws(NormalizationError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw invalid(key, "is not a string") }
        return text.isEmpty ? nil : text
    }

    func bool(_ key: String) throws(NormalizationError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw invalid(key, "is not a boolean") }
        return flag
    }

    /// An id: a non-empty string, bounded in length. Nil when missing, `null` or `""`.
    func identifier(_ key: String) throws(NormalizationError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw invalid(key, "is not a string") }
        return try bounded(identifier: text, key)
    }

    /// An id that some providers send as a number (Paystack and Flutterwave number their objects): a
    /// non-empty string, or a non-negative integer written out in decimal.
    func numberedIdentifier(_ key: String) throws(NormalizationError) -> String? {
        guard let value = value(key) else { return nil }
        if case .number = value {
            guard let number = value.int64Value, number >= 0 else {
                throw invalid(key, "is not a string or a non-negative integer")
            }
            return String(number)
        }
        guard let text = value.stringValue else { throw invalid(key, "is not a string or a non-negative integer") }
        return try bounded(identifier: text, key)
    }

    private func bounded(identifier text: String, _ key: String) throws(NormalizationError) -> String? {
        if text.isEmpty { return nil }
        guard text.utf8.count <= Self.maxIdentifierBytes else { throw invalid(key, "is too long") }
        return text
    }

    /// The first of `keys` that holds an identifier (each present one must be well formed).
    func firstIdentifier(_ keys: String...) throws(NormalizationError) -> String? {
        for key in keys {
            if let identifier = try identifier(key) { return identifier }
        }
        return nil
    }

    func requiredIdentifier(_ key: String) throws(NormalizationError) -> String {
        guard let identifier = try identifier(key) else { throw missing(key) }
        return identifier
    }

    func requiredNumberedIdentifier(_ key: String) throws(NormalizationError) -> String {
        guard let identifier = try numberedIdentifier(key) else { throw missing(key) }
        return identifier
    }

    /// Free text such as a failure reason or status word, cut to `maxTextScalars`.
    func text(_ key: String) throws(NormalizationError) -> String? {
        guard let text = try string(key) else { return nil }
        return Self.bounded(text)
    }

    static func bounded(_ text: String) -> String {
        guard text.unicodeScalars.count > maxTextScalars else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.prefix(maxTextScalars))
        return String(scalars)
    }

    func missing(_ key: String) -> NormalizationError {
        NormalizationError("`\(name(key))` is missing")
    }

    func invalid(_ key: String, _ problem: String) -> NormalizationError {
        NormalizationError("`\(name(key))` \(problem)")
    }
}

extension BodyFields {
    /// The provider's type word at `key`: required, verbatim, bounded.
    func eventType(_ key: String) throws(NormalizationError) -> String {
        guard let value = value(key) else { throw missing(key) }
        guard let type = value.stringValue, !type.isEmpty else { throw invalid(key, "is not a non-empty string") }
        guard type.utf8.count <= Self.maxIdentifierBytes else { throw invalid(key, "is too long") }
        return type
    }
}
