/// Postgres' one-dimensional array text format (`{a,"b c",NULL}`), both ways.
enum PostgresArrayLiteral {
    /// Every element quoted, so commas, braces, quotes, backslashes and the word NULL stay values.
    static func encode(_ elements: [String]) -> String {
        // Byte-wise with bulk copies: webhook batches bind arrays of hundreds of kilobytes.
        var capacity = 2 + elements.count * 3
        for element in elements { capacity += element.utf8.count }
        var out: [UInt8] = []
        out.reserveCapacity(capacity + capacity / 16)
        out.append(UInt8(ascii: "{"))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            var element = element
            element.withUTF8 { bytes in
                var runStart = 0
                for position in 0..<bytes.count
                where bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "\\") {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                    out.append(UInt8(ascii: "\\"))
                    runStart = position
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
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
