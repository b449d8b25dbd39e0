import CLibPQ

/// Reading a `PGresult`: rows into `ResultStorage`, errors into `PostgresError`.
enum LibPQResult {
    // libpq's PG_DIAG_* macros are character literals, which Swift does not import.
    static let sqlStateField = Int32(UInt8(ascii: "C"))
    static let primaryMessageField = Int32(UInt8(ascii: "M"))
    static let detailField = Int32(UInt8(ascii: "D"))
    static let tableField = Int32(UInt8(ascii: "t"))
    static let constraintField = Int32(UInt8(ascii: "n"))
    static let severityField = Int32(UInt8(ascii: "V"))

    static func storage(from result: OpaquePointer) -> ResultStorage {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [String] = []
        var types: [PostgresTypeOID] = []
        columns.reserveCapacity(columnCount)
        types.reserveCapacity(columnCount)
        for column in 0..<Int32(columnCount) {
            columns.append(PQfname(result, column).map { String(cString: $0) } ?? "")
            types.append(PostgresTypeOID(PQftype(result, column)))
        }
        var cells: [String?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                } else {
                    // The length is known: no strlen, one copy into the String.
                    let bytes = UnsafeRawBufferPointer(
                        start: PQgetvalue(result, row, column), count: Int(PQgetlength(result, row, column)))
                    cells.append(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        let affected = PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
        let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
        return ResultStorage(
            columns: columns, types: types, cells: cells, rowCount: rowCount, affectedRows: affected, commandTag: tag)
    }

    /// The error a failed result (or a NULL result) stands for. A broken connection makes it
    /// `.connectionLost` whatever the server said last.
    static func error(from result: OpaquePointer?, connection: OpaquePointer?) -> PostgresError {
        let connectionBroken = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        guard let result else {
            return PostgresError(
                kind: connectionBroken ? .connectionLost : .query, serverMessage: connectionMessage(connection))
        }
        let sqlState = field(result, sqlStateField)
        var message = field(result, primaryMessageField)
        if message == nil, let raw = PQresultErrorMessage(result) {
            message = trimmed(String(cString: raw))
        }
        let kind: PostgresError.Kind
        if connectionBroken {
            kind = .connectionLost
        } else if sqlState == "57014" {
            kind = .timeout
        } else {
            kind = .query
        }
        return PostgresError(
            kind: kind, sqlState: sqlState, constraint: field(result, constraintField),
            table: field(result, tableField),
            serverMessage: message, detail: field(result, detailField))
    }

    static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        guard let value = PQresultErrorField(result, code) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    static func connectionMessage(_ connection: OpaquePointer?) -> String? {
        guard let connection, let raw = PQerrorMessage(connection) else { return nil }
        let text = trimmed(String(cString: raw))
        return text.isEmpty ? nil : text
    }

    static func trimmed(_ text: String) -> String {
        var out = Substring(text)
        while let last = out.last, last.isWhitespace { out.removeLast() }
        return String(out)
    }
}
