import Foundation
import Shared

/// A Swift type a text-format column value can become. Conformances check the column's type (an
/// `int8` never silently becomes a `Bool`) and throw `PostgresDecodingError.Reason`; the row adds
/// which column it was.
public protocol PostgresDecodable {
    init(postgresText: String, type: PostgresTypeOID) throws
    /// What SQL NULL becomes; nil (the default) makes NULL an error. `Optional` returns `.some(nil)`.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText: String, type: PostgresTypeOID) throws {
        self = .some(try Wrapped(postgresText: postgresText, type: type))
    }

    public static var postgresNull: Wrapped?? { .some(nil) }
}

extension String: PostgresDecodable {
    /// Any column: a string gets the value's text form (`numeric`, `uuid`, enums, …).
    public init(postgresText: String, type: PostgresTypeOID) throws {
        self = postgresText
    }
}

extension Int64: PostgresDecodable {
    /// Integer columns, and `numeric` without a fraction (what `sum(bigint)` returns).
    public init(postgresText: String, type: PostgresTypeOID) throws {
        self = try PostgresIntegerText.parse(postgresText, type: type)
    }
}

extension Int: PostgresDecodable {
    public init(postgresText: String, type: PostgresTypeOID) throws {
        self = Int(try PostgresIntegerText.parse(postgresText, type: type))
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText: String, type: PostgresTypeOID) throws {
        guard let value = Int32(exactly: try PostgresIntegerText.parse(postgresText, type: type)) else {
            throw PostgresDecodingError.Reason.invalidValue
        }
        self = value
    }
}

extension Int16: PostgresDecodable {
    public init(postgresText: String, type: PostgresTypeOID) throws {
        guard let value = Int16(exactly: try PostgresIntegerText.parse(postgresText, type: type)) else {
            throw PostgresDecodingError.Reason.invalidValue
        }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText: String, type: PostgresTypeOID) throws {
        guard type == .bool else { throw PostgresDecodingError.Reason.typeMismatch }
        switch postgresText {
        case "t": self = true
        case "f": self = false
        default: throw PostgresDecodingError.Reason.invalidValue
        }
    }
}

extension Date: PostgresDecodable {
    /// `timestamptz`, `timestamp` (read as UTC) and `date` (midnight UTC). `infinity` becomes
    /// `.distantFuture`, `-infinity` `.distantPast`.
    public init(postgresText: String, type: PostgresTypeOID) throws {
        guard type == .timestamptz || type == .timestamp || type == .date else {
            throw PostgresDecodingError.Reason.typeMismatch
        }
        guard let date = PostgresDateText.parse(postgresText) else { throw PostgresDecodingError.Reason.invalidValue }
        self = date
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText: String, type: PostgresTypeOID) throws {
        guard type == .uuid || type.isText else { throw PostgresDecodingError.Reason.typeMismatch }
        guard let uuid = UUID(uuidString: postgresText) else { throw PostgresDecodingError.Reason.invalidValue }
        self = uuid
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElementDecodable {
    /// `bytea` for `[UInt8]`; one-dimensional arrays for `[String]` and `[Int64]`.
    public init(postgresText: String, type: PostgresTypeOID) throws {
        self = try Element.decodeArray(postgresText: postgresText, type: type)
    }
}

/// The element types an `Array` decodes for: `UInt8` (a `bytea`), `String` and `Int64` (arrays).
public protocol PostgresArrayElementDecodable {
    static func decodeArray(postgresText: String, type: PostgresTypeOID) throws -> [Self]
}

extension UInt8: PostgresArrayElementDecodable {
    public static func decodeArray(postgresText: String, type: PostgresTypeOID) throws -> [UInt8] {
        guard type == .bytea else { throw PostgresDecodingError.Reason.typeMismatch }
        // Sessions use the default `bytea_output = hex`.
        guard postgresText.hasPrefix("\\x"), let bytes = Hex.decode(String(postgresText.dropFirst(2))) else {
            throw PostgresDecodingError.Reason.invalidValue
        }
        return bytes
    }
}

extension String: PostgresArrayElementDecodable {
    public static func decodeArray(postgresText: String, type: PostgresTypeOID) throws -> [String] {
        guard type.isArray else { throw PostgresDecodingError.Reason.typeMismatch }
        guard let elements = PostgresArrayLiteral.parse(postgresText) else {
            throw PostgresDecodingError.Reason.invalidValue
        }
        // A NULL element has no String to become; use a query that filters or coalesces them.
        return try elements.map { element in
            guard let element else { throw PostgresDecodingError.Reason.unexpectedNull }
            return element
        }
    }
}

extension Int64: PostgresArrayElementDecodable {
    public static func decodeArray(postgresText: String, type: PostgresTypeOID) throws -> [Int64] {
        guard type.isIntegerArray else { throw PostgresDecodingError.Reason.typeMismatch }
        guard let elements = PostgresArrayLiteral.parse(postgresText) else {
            throw PostgresDecodingError.Reason.invalidValue
        }
        return try elements.map { element in
            guard let element else { throw PostgresDecodingError.Reason.unexpectedNull }
            return try PostgresIntegerText.parse(element, type: .numeric)
        }
    }
}

/// Integer text from integer columns, or from `numeric` when the value has no fractional part.
enum PostgresIntegerText {
    static func parse(_ text: String, type: PostgresTypeOID) throws -> Int64 {
        if type.isInteger {
            guard let value = Int64(text) else { throw PostgresDecodingError.Reason.invalidValue }
            return value
        }
        guard type == .numeric else { throw PostgresDecodingError.Reason.typeMismatch }
        var whole = Substring(text)
        if let dot = text.firstIndex(of: ".") {
            // `12.000` is an integer; `12.5` is not, and is never rounded.
            guard text[text.index(after: dot)...].allSatisfy({ $0 == "0" }) else {
                throw PostgresDecodingError.Reason.invalidValue
            }
            whole = text[..<dot]
        }
        guard let value = Int64(whole) else { throw PostgresDecodingError.Reason.invalidValue }
        return value
    }
}
