import Foundation

// openapi-embed <document.json> <output.swift> <EnumName>: the build-time half of the OpenAPIEmbed
// plugin. The JSON goes verbatim into a multi-line raw string literal (#"""…"""#), where only `"""#`
// (it would end the literal) and `\#` (an escape there) mean anything; Swift turns CRLF into LF, which
// would break byte-for-byte equality with the file. A document holding any of them is refused.

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: openapi-embed <document.json> <output.swift> <EnumName>\n".utf8))
    exit(2)
}
let (input, output, name) = (arguments[1], arguments[2], arguments[3])
guard let data = FileManager.default.contents(atPath: input), let json = String(data: data, encoding: .utf8) else {
    FileHandle.standardError.write(Data("openapi-embed: cannot read \(input) as UTF-8\n".utf8))
    exit(1)
}
if json.contains("\"\"\"#") || json.contains("\\#") || json.contains("\r") {
    FileHandle.standardError.write(
        Data(
            "openapi-embed: \(input) contains \"\"\"#, \\# or a carriage return; it cannot be embedded verbatim\n".utf8)
    )
    exit(1)
}
// A newline before the closing delimiter is not part of the literal: with the JSON's own final
// newline this leaves a blank line, so the document keeps that newline too.
let source = """
    // Generated at build time by the OpenAPIEmbed plugin from \(URL(fileURLWithPath: input).lastPathComponent).

    /// The API as OpenAPI 3.1, served at `/openapi.json`. Compiled in, so a binary always serves the
    /// description of the API it was built with.
    enum \(name) {
        static let document = #\"\"\"
    \(json)
    \"\"\"#
    }

    """
// Rewritten only when it changes, so an unchanged document recompiles nothing.
if FileManager.default.contents(atPath: output) != Data(source.utf8) {
    do {
        try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
    } catch {
        FileHandle.standardError.write(Data("openapi-embed: cannot write \(output): \(error)\n".utf8))
        exit(1)
    }
}
