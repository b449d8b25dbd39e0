/// JSON text as a bind or a column. Postgres receives it as text, so cast it in SQL
/// (`\(PostgresJSON(body))::jsonb`); `json`/`jsonb` columns decode into it unchanged.
public struct PostgresJSON: Sendable, Hashable, PostgresEncodable, PostgresDecodable {
    public var text: String

    public init(_ text: String) { self.text = text }

    public var postgresText: String? { text }

    public init(postgresText: String, type: PostgresTypeOID) throws {
        guard type == .json || type == .jsonb || type.isText else { throw PostgresDecodingError.Reason.typeMismatch }
        text = postgresText
    }
}
