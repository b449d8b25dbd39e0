/// The rows a statement returned, copied out of libpq on the connection's thread, so they outlive it
/// and can cross tasks. Cells are text (libpq's text format); `PostgresRow.decode` turns them into
/// Swift types.
public struct PostgresRows: Sendable, RandomAccessCollection {
    let storage: ResultStorage

    /// Column names, in order.
    public var columns: [String] { storage.columns }
    /// Column types, in order.
    public var columnTypes: [PostgresTypeOID] { storage.types }
    /// Rows inserted, updated, deleted or selected, as the server reported (`PQcmdTuples`); 0 when the
    /// command reports none.
    public var affectedRows: Int { storage.affectedRows }
    /// The command tag, e.g. `INSERT 0 1` or `COMMIT`.
    public var commandTag: String { storage.commandTag }

    init(storage: ResultStorage) { self.storage = storage }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.rowCount }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(storage: storage, row: position)
    }
}

/// One result's cells, row-major, shared by the rows that point into it.
final class ResultStorage: Sendable {
    let columns: [String]
    let types: [PostgresTypeOID]
    let cells: [String?]
    let rowCount: Int
    let affectedRows: Int
    let commandTag: String

    init(
        columns: [String], types: [PostgresTypeOID], cells: [String?], rowCount: Int, affectedRows: Int,
        commandTag: String
    ) {
        self.columns = columns
        self.types = types
        self.cells = cells
        self.rowCount = rowCount
        self.affectedRows = affectedRows
        self.commandTag = commandTag
    }

    static let empty = ResultStorage(columns: [], types: [], cells: [], rowCount: 0, affectedRows: 0, commandTag: "")

    func columnIndex(_ name: String) -> Int? {
        // Results are narrow; a linear scan beats building a dictionary per result.
        columns.firstIndex(of: name)
    }
}
