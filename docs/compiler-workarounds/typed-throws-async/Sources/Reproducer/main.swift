// An async function that decodes rows with a typed-throwing parser inside its loop — the shape Coffer's
// stores avoid by decoding in synchronous `@inline(never)` functions. Build with `-c release`.

struct ParseError: Error {}

struct Row: Sendable {
    let columns: [[UInt8]]

    func decode(_ index: Int) throws(ParseError) -> String {
        guard index < columns.count, let text = String(validating: columns[index], as: UTF8.self) else { throw ParseError() }
        return text
    }
}

func parse(_ text: String) throws(ParseError) -> Int64 {
    guard let value = Int64(text) else { throw ParseError() }
    return value
}

func fetch() async -> [Row] {
    await Task.yield()
    return (0..<4).map { Row(columns: [Array("row\($0)".utf8), Array("\($0 * 100)".utf8)]) }
}

struct Record: Sendable {
    let id: String
    let amount: Int64
}

// The crashing shape: typed throws inlined into the async body, in a loop over rows.
func records() async throws -> [Record] {
    var out: [Record] = []
    for row in await fetch() {
        let id = try row.decode(0)
        let amount = try parse(try row.decode(1))
        out.append(Record(id: id, amount: amount))
        await Task.yield()
    }
    return out
}

let result = try await records()
print(result.map { "\($0.id)=\($0.amount)" }.joined(separator: " "))
