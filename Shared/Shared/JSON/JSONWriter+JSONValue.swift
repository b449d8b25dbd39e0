extension JSONWriter {
    /// Writes a `JSONValue` compactly. With `canonical`, object keys are sorted by their UTF-8 bytes,
    /// so equal values always produce identical bytes (idempotency fingerprints, signatures); without
    /// it they come in the dictionary's order, which is cheaper but differs from run to run.
    ///
    /// Strings use this writer's minimal escaping; numbers are written as their literal. A `.number`
    /// built in code with text that is not a JSON number is written as a string, so the output is
    /// always valid JSON.
    public mutating func value(_ value: JSONValue, canonical: Bool = true) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let literal):
            if JSONParser.isNumberLiteral(literal) { raw(literal) } else { string(literal) }
        case .string(let text): string(text)
        case .array(let elements):
            raw(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { raw(UInt8(ascii: ",")) }
                self.value(element, canonical: canonical)
            }
            raw(UInt8(ascii: "]"))
        case .object(let members):
            raw(UInt8(ascii: "{"))
            var first = true
            func member(_ key: String, _ member: JSONValue) {
                if !first { raw(UInt8(ascii: ",")) }
                first = false
                self.key(key)
                self.value(member, canonical: canonical)
            }
            if canonical {
                for (key, element) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                    member(key, element)
                }
            } else {
                for (key, element) in members { member(key, element) }
            }
            raw(UInt8(ascii: "}"))
        }
    }
}
