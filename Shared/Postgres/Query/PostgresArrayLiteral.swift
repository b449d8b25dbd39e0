/// Postgres' one-dimensional array text format (`{a,"b c",NULL}`), both ways.
enum PostgresArrayLiteral {
    /// Every element quoted, so commas, braces, quotes, backslashes and the word NULL stay values.
    static func encode(_ elements: [String]) -> String {
        var out = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { out += "," }
            out += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { out += "\\" }
                out.unicodeScalars.append(character)
            }
            out += "\""
        }
        return out + "}"
    }

    static func encode(_ elements: [Int64]) -> String {
        "{" + elements.map(String.init).joined(separator: ",") + "}"
    }

    /// The elements of a one-dimensional array (nil for NULL); nil when the text is not one.
    static func parse(_ text: String) -> [String?]? {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var elements: [String?] = []
        var index = 1
        let end = bytes.count - 1
        if index == end { return [] }
        while index <= end {
            var element: [UInt8] = []
            var quoted = false
            if bytes[index] == UInt8(ascii: "\"") {
                quoted = true
                index += 1
                while index < end, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < end else { return nil }
                    element.append(bytes[index])
                    index += 1
                }
                guard index < end else { return nil }
                index += 1  // closing quote
            } else {
                while index < end, bytes[index] != UInt8(ascii: ",") {
                    // A nested brace means a multi-dimensional array, which these decoders do not take.
                    guard bytes[index] != UInt8(ascii: "{"), bytes[index] != UInt8(ascii: "\"") else { return nil }
                    element.append(bytes[index])
                    index += 1
                }
            }
            let value = String(decoding: element, as: UTF8.self)
            elements.append(!quoted && value.uppercased() == "NULL" ? nil : value)
            guard index == end || bytes[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
        return elements
    }
}
