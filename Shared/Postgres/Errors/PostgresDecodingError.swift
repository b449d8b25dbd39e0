/// A column value that could not become the requested Swift type. Names the column, its index, the
/// Postgres type and the Swift type, never the value itself (it may be a secret or personal data).
public struct PostgresDecodingError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Why decoding failed. `PostgresDecodable` conformances throw `.typeMismatch` or `.invalidValue`;
    /// the row adds the column context.
    public enum Reason: Error, Sendable, Equatable {
        /// SQL NULL into a non-optional type.
        case unexpectedNull
        /// The column's Postgres type cannot become this Swift type.
        case typeMismatch
        /// The type fits but the text does not parse (or is out of range).
        case invalidValue
        /// No column has that name.
        case missingColumn
        /// A tuple decode asked for a different number of columns than the row has.
        case columnCountMismatch(requested: Int, available: Int)
        /// The column index is past the last column.
        case indexOutOfRange
    }

    public var reason: Reason
    public var column: String
    public var index: Int
    public var postgresType: PostgresTypeOID
    public var swiftType: String

    public init(reason: Reason, column: String, index: Int, postgresType: PostgresTypeOID, swiftType: String) {
        self.reason = reason
        self.column = column
        self.index = index
        self.postgresType = postgresType
        self.swiftType = swiftType
    }

    public var description: String {
        switch reason {
        case .missingColumn:
            return "no column named \"\(column)\" to decode as \(swiftType)"
        case .columnCountMismatch(let requested, let available):
            return "cannot decode a row of \(available) columns as \(requested) values"
        case .indexOutOfRange:
            return "no column at index \(index) to decode as \(swiftType)"
        case .unexpectedNull, .typeMismatch, .invalidValue:
            return "cannot decode column \"\(column)\" (index \(index), Postgres type \(postgresType)) "
                + "as Swift type \(swiftType): \(reasonText)"
        }
    }

    public var debugDescription: String { "PostgresDecodingError(\(description))" }

    var reasonText: String {
        switch reason {
        case .unexpectedNull: "NULL into a non-optional type"
        case .typeMismatch: "type mismatch"
        case .invalidValue: "value does not parse"
        case .missingColumn: "missing column"
        case .columnCountMismatch: "column count mismatch"
        case .indexOutOfRange: "index out of range"
        }
    }
}
