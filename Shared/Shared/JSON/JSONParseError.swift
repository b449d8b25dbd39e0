/// Why a JSON document was refused, and the byte offset where the parser stopped.
///
/// `code` is stable (`invalid_json`, `max_depth_exceeded`, `duplicate_key`, `invalid_utf8`,
/// `trailing_data`); `message` is a fixed sentence naming the rule. Neither ever contains input
/// bytes, so the error can be logged or returned without leaking a payload.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var offset: Int
    public var message: String

    public init(code: String, offset: Int, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(code) at byte \(offset): \(message)" }

    static func invalid(_ message: String, at offset: Int) -> JSONParseError {
        JSONParseError(code: "invalid_json", offset: offset, message: message)
    }

    static func tooDeep(at offset: Int) -> JSONParseError {
        JSONParseError(code: "max_depth_exceeded", offset: offset, message: "Arrays and objects are nested too deeply.")
    }

    static func duplicateKey(at offset: Int) -> JSONParseError {
        JSONParseError(code: "duplicate_key", offset: offset, message: "An object has the same key twice.")
    }

    static func invalidUTF8(at offset: Int) -> JSONParseError {
        JSONParseError(code: "invalid_utf8", offset: offset, message: "A string is not valid UTF-8.")
    }

    static func trailingData(at offset: Int) -> JSONParseError {
        JSONParseError(code: "trailing_data", offset: offset, message: "There is data after the JSON value.")
    }
}
