import Foundation

/// Coffer's conventions for Foundation's JSON coders, shared by every service so the wire format is
/// one format: `snake_case` keys, RFC 3339 UTC timestamps, `/` unescaped.
///
/// Spell acronyms in property names `Id`, `Url` (`tenantId`, not `tenantID`): Foundation turns
/// `tenantID` into `tenant_id` but reads `tenant_id` back as `tenantId`, so the other spelling does
/// not round-trip. Keys inside a `JSONValue` are never converted (see `JSONValue: Codable`).
public enum JSONCoding {
    /// Keys become snake_case (`createdAt` → `created_at`); dates are written with `Timestamp` in UTC,
    /// in whole seconds (`2026-11-21T16:48:00Z`) when the date has no fraction of a second and with
    /// milliseconds (`2026-11-21T16:48:00.123Z`) otherwise, rounded to the nearest millisecond.
    /// Keys are not sorted: canonical bytes come from `JSONValue.serialized()`.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            guard let text = rfc3339(date) else {
                throw EncodingError.invalidValue(
                    date, .init(codingPath: encoder.codingPath, debugDescription: "Date outside years 0001-9999."))
            }
            try container.encode(text)
        }
        return encoder
    }

    /// Keys are read from snake_case; dates accept any RFC 3339 form `Timestamp.parse` does
    /// (with or without a fraction, `Z` or a `±hh:mm` offset).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            guard let date = Timestamp.parse(try container.decode(String.self)) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "Expected an RFC 3339 timestamp.")
            }
            return date
        }
        return decoder
    }

    /// 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in Unix milliseconds: RFC 3339 has four-digit years.
    private static let representableMilliseconds: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    static func rfc3339(_ date: Date) -> String? {
        // Nearest millisecond, so a date parsed from `.123Z` does not print as `.122Z` after binary rounding.
        guard let milliseconds = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded()),
            representableMilliseconds.contains(milliseconds)
        else { return nil }
        return Timestamp.format(unixMilliseconds: milliseconds, fractional: milliseconds % 1000 != 0)
    }
}
