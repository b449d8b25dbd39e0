/// A strict RFC 8259 parser over a byte buffer, producing `JSONValue`.
///
/// Iterative rather than recursive, with an explicit stack of open containers, so hostile nesting
/// meets the depth limit instead of the thread's stack. Numbers are validated and kept as their
/// literal text; strings must be valid UTF-8 with well-formed escapes; a key repeated in one object is
/// an error because parsers that disagree on which copy wins are an attack surface.
struct JSONParser {
    let input: UnsafeBufferPointer<UInt8>
    var index = 0
    private let maxDepth: Int

    init(input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        // Open containers, innermost last. Arrays and objects live in separate stacks so appending to
        // the innermost one mutates it in place instead of copying it out of an enum payload.
        var openIsObject: [Bool] = []
        var arrays: [[JSONValue]] = []
        var objects: [[String: JSONValue]] = []
        var keys: [(key: String, offset: Int)] = []

        skipWhitespace()
        nextValue: while true {
            guard index < input.count else {
                throw .invalid("The document ends where a value was expected.", at: index)
            }
            var value: JSONValue
            switch input[index] {
            case UInt8(ascii: "{"):
                // An empty container counts toward depth too: `[[]]` is two levels deep.
                guard openIsObject.count < maxDepth else { throw .tooDeep(at: index) }
                index += 1
                skipWhitespace()
                if index < input.count, input[index] == UInt8(ascii: "}") {
                    index += 1
                    value = .object([:])
                } else {
                    openIsObject.append(true)
                    objects.append([:])
                    keys.append(try parseKey())
                    continue nextValue
                }
            case UInt8(ascii: "["):
                guard openIsObject.count < maxDepth else { throw .tooDeep(at: index) }
                index += 1
                skipWhitespace()
                if index < input.count, input[index] == UInt8(ascii: "]") {
                    index += 1
                    value = .array([])
                } else {
                    openIsObject.append(false)
                    arrays.append([])
                    continue nextValue
                }
            case UInt8(ascii: "\""):
                index += 1
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                try scanNumber()
                value = .number(String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self))
            default:
                throw .invalid("Expected a value.", at: index)
            }

            // Attach the value to its container; each closing bracket turns a container into the next value.
            while let isObject = openIsObject.last {
                skipWhitespace()
                if isObject {
                    let (key, keyOffset) = keys.removeLast()
                    guard objects[objects.count - 1].updateValue(value, forKey: key) == nil else {
                        throw .duplicateKey(at: keyOffset)
                    }
                    guard index < input.count else { throw .invalid("The document ends inside an object.", at: index) }
                    if input[index] == UInt8(ascii: ",") {
                        index += 1
                        skipWhitespace()
                        keys.append(try parseKey())
                        continue nextValue
                    }
                    guard input[index] == UInt8(ascii: "}") else { throw .invalid("Expected ',' or '}'.", at: index) }
                    index += 1
                    openIsObject.removeLast()
                    value = .object(objects.removeLast())
                } else {
                    arrays[arrays.count - 1].append(value)
                    guard index < input.count else { throw .invalid("The document ends inside an array.", at: index) }
                    if input[index] == UInt8(ascii: ",") {
                        index += 1
                        skipWhitespace()
                        continue nextValue
                    }
                    guard input[index] == UInt8(ascii: "]") else { throw .invalid("Expected ',' or ']'.", at: index) }
                    index += 1
                    openIsObject.removeLast()
                    value = .array(arrays.removeLast())
                }
            }

            skipWhitespace()
            guard index == input.count else { throw .trailingData(at: index) }
            return value
        }
    }

    /// Reads `"key"` and the `:` after it, leaving the index at the value.
    private mutating func parseKey() throws(JSONParseError) -> (key: String, offset: Int) {
        let offset = index
        guard index < input.count, input[index] == UInt8(ascii: "\"") else {
            throw .invalid("Expected a string key.", at: index)
        }
        index += 1
        let key = try parseString()
        skipWhitespace()
        guard index < input.count, input[index] == UInt8(ascii: ":") else { throw .invalid("Expected ':'.", at: index) }
        index += 1
        skipWhitespace()
        return (key, offset)
    }

    private mutating func skipWhitespace() {
        while index < input.count {
            switch input[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let length = literal.utf8CodeUnitCount
        guard input.count - index >= length,
            UnsafeBufferPointer(rebasing: input[index..<(index + length)]).elementsEqual(
                UnsafeBufferPointer(start: literal.utf8Start, count: length))
        else { throw .invalid("Expected true, false or null.", at: index) }
        index += length
    }

    // MARK: Numbers

    /// Validates `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` and moves past it.
    mutating func scanNumber() throws(JSONParseError) {
        if input[index] == UInt8(ascii: "-") { index += 1 }
        guard index < input.count, isDigit(input[index]) else { throw .invalid("Expected a digit.", at: index) }
        if input[index] == UInt8(ascii: "0") {
            index += 1
            if index < input.count, isDigit(input[index]) {
                throw .invalid("Numbers have no leading zeros.", at: index)
            }
        } else {
            skipDigits()
        }
        if index < input.count, input[index] == UInt8(ascii: ".") {
            index += 1
            guard index < input.count, isDigit(input[index]) else {
                throw .invalid("Expected a digit after the decimal point.", at: index)
            }
            skipDigits()
        }
        if index < input.count, input[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < input.count, input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < input.count, isDigit(input[index]) else {
                throw .invalid("Expected a digit in the exponent.", at: index)
            }
            skipDigits()
        }
    }

    private mutating func skipDigits() {
        while index < input.count, isDigit(input[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// True when `text` is exactly one JSON number literal.
    static func isNumberLiteral(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            guard !buffer.isEmpty else { return false }
            var parser = JSONParser(input: buffer, maxDepth: 0)
            do { try parser.scanNumber() } catch { return false }
            return parser.index == buffer.count
        }
    }
}
