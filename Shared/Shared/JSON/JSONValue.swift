/// A JSON document held exactly as it was sent: numbers keep their literal text (no floating point
/// ever touches them), so a provider's `9007199254740993` or `"10.50"` survives untouched.
///
/// Parse provider payloads with `JSONValue.parse`; build values with literals
/// (`["amount": .int(1050), "currency": "usd"]`); serialize canonically for fingerprints.
/// Equality is structural and numbers compare by literal (`1.0` is not `1`).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text as it appeared in the document, validated against RFC 8259's grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Hard ceiling on nesting, whatever `maxDepth` a caller passes: equality, hashing, serialization
    /// and deallocation of a `JSONValue` recurse, so depth must stay far below what a thread's stack holds.
    public static let depthCeiling = 512

    /// Parses exactly one JSON value from UTF-8 bytes (leading and trailing whitespace allowed).
    /// `maxDepth` bounds how many arrays/objects may be open at once (capped at `depthCeiling`).
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes, maxDepth: Int = 64) throws(JSONParseError)
        -> JSONValue
    {
        let depth = min(maxDepth, depthCeiling)
        let result =
            bytes.withContiguousStorageIfAvailable { parse(buffer: $0, depth: depth) }
            ?? Array(bytes).withUnsafeBufferPointer { parse(buffer: $0, depth: depth) }
        return try result.get()
    }

    public static func parse(_ text: String, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8, maxDepth: maxDepth)
    }

    // A Result rather than a throwing closure: the buffer accessors rethrow untyped errors.
    private static func parse(buffer: UnsafeBufferPointer<UInt8>, depth: Int) -> Result<JSONValue, JSONParseError> {
        Result { () throws(JSONParseError) -> JSONValue in
            var parser = JSONParser(input: buffer, maxDepth: depth)
            return try parser.parseDocument()
        }
    }

    /// An integer number.
    public static func int(_ value: Int64) -> JSONValue { .number(String(value)) }

    /// A number from literal text such as `"10.50"` or `"1e3"`; nil unless it is a valid JSON number.
    public static func number(literal text: String) -> JSONValue? {
        JSONParser.isNumberLiteral(text) ? .number(text) : nil
    }
}

extension JSONValue {
    /// The member named `key`; nil unless this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index`; nil unless this is an array that long.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    public var objectValue: [String: JSONValue]? {
        guard case .object(let value) = self else { return nil }
        return value
    }

    public var arrayValue: [JSONValue]? {
        guard case .array(let value) = self else { return nil }
        return value
    }

    /// The literal text of a number.
    public var numberLiteral: String? {
        guard case .number(let value) = self else { return nil }
        return value
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value of an integer literal that fits `Int64` (`-0` is 0); nil for fractions, exponents,
    /// anything out of range, and every non-number. Amounts in minor units are read with this.
    public var int64Value: Int64? {
        guard case .number(let literal) = self else { return nil }
        return Int64(literal)
    }
}
