extension JSONValue: CustomStringConvertible {
    /// Compact JSON bytes; canonical by default (keys sorted by UTF-8 bytes, no whitespace, minimal
    /// string escaping, numbers as their literal). See `JSONWriter.value(_:canonical:)`.
    public func serialized(canonical: Bool = true) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.value(self, canonical: canonical)
        return writer.bytes
    }

    /// The canonical serialization as a string.
    public var jsonString: String { String(decoding: serialized(canonical: true), as: UTF8.self) }

    public var description: String { jsonString }

    /// Parses and re-serializes canonically: documents that differ only in whitespace, key order or
    /// escape spelling (`"\u0041"` vs `"A"`) come out byte-identical.
    public static func canonicalize<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONParseError) -> [UInt8] {
        try parse(bytes).serialized(canonical: true)
    }
}
