/// One row of a `PostgresRows`. Decode cells by name, by index, or all at once into a tuple:
///
///     let (id, amount, capturedAt) = try row.decode((String, Int64, Date?).self)
public struct PostgresRow: Sendable {
    let storage: ResultStorage
    let row: Int

    /// Column names, in order.
    public var columns: [String] { storage.columns }

    public func decode<T: PostgresDecodable>(_ type: T.Type, column: String) throws -> T {
        guard let index = storage.columnIndex(column) else {
            throw PostgresDecodingError(
                reason: .missingColumn, column: column, index: -1, postgresType: .unknown, swiftType: "\(T.self)")
        }
        return try decode(T.self, at: index)
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type, at index: Int) throws -> T {
        guard index >= 0, index < storage.columns.count else {
            throw PostgresDecodingError(
                reason: .indexOutOfRange, column: "", index: index, postgresType: .unknown, swiftType: "\(T.self)")
        }
        let postgresType = storage.types[index]
        func failure(_ reason: PostgresDecodingError.Reason) -> PostgresDecodingError {
            PostgresDecodingError(
                reason: reason, column: storage.columns[index], index: index, postgresType: postgresType,
                swiftType: "\(T.self)")
        }
        guard let text = storage.cells[row * storage.columns.count + index] else {
            guard let null = T.postgresNull else { throw failure(.unexpectedNull) }
            return null
        }
        do {
            return try T(postgresText: text, type: postgresType)
        } catch let reason as PostgresDecodingError.Reason {
            throw failure(reason)
        } catch {
            throw failure(.invalidValue)
        }
    }

    /// Every column, in order, into a tuple; the tuple must have as many elements as the row has columns.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var requested = 0
        for _ in repeat (each T).self { requested += 1 }
        guard requested == storage.columns.count else {
            throw PostgresDecodingError(
                reason: .columnCountMismatch(requested: requested, available: storage.columns.count), column: "",
                index: -1, postgresType: .unknown, swiftType: "\(types)")
        }
        var index = 0
        func next<U: PostgresDecodable>(_ type: U.Type) throws -> U {
            defer { index += 1 }
            return try decode(U.self, at: index)
        }
        return (repeat try next((each T).self))
    }

    /// Decodes the columns `start ..< start + count` as a tuple, for rows that carry more columns than one
    /// shape (a summary followed by details). Columns past the end are a decoding error.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type, startingAt start: Int) throws -> (
        repeat each T
    ) {
        var index = start
        func next<U: PostgresDecodable>(_ type: U.Type) throws -> U {
            defer { index += 1 }
            return try decode(U.self, at: index)
        }
        return (repeat try next((each T).self))
    }

    /// True when the column is SQL NULL (or there is no such column).
    public func isNull(column: String) -> Bool {
        guard let index = storage.columnIndex(column) else { return true }
        return storage.cells[row * storage.columns.count + index] == nil
    }

    /// The raw text of a cell, nil for NULL.
    public func text(at index: Int) -> String? {
        guard index >= 0, index < storage.columns.count else { return nil }
        return storage.cells[row * storage.columns.count + index]
    }
}
