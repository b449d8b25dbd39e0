import Foundation
import Shared

/// A Swift value that can be sent as a text-format bind parameter. `nil` means SQL NULL.
public protocol PostgresEncodable: Sendable {
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int16: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "t" : "f" }
}

extension Date: PostgresEncodable {
    /// RFC 3339 UTC with microseconds, e.g. `2026-11-21T16:48:00.123456Z`.
    public var postgresText: String? { PostgresDateText.format(self) }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { uuidString.lowercased() }
}

extension Array: PostgresEncodable where Element == UInt8 {
    /// `bytea` in hex format: `\x0a1b…`.
    public var postgresText: String? { "\\x" + Hex.encode(self) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
}
