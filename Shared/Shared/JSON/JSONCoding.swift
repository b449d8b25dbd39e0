import Foundation

/// Coffer's conventions for Foundation's JSON coders, shared by every service so the wire format is
/// one format: `snake_case` keys, RFC 3339 UTC timestamps, `/` unescaped.
///
/// Property names use Swift's acronym style (`tenantID`, `webhookURL`, `payeeIDs`): the encoder writes
/// `tenant_id`, and the decoder maps `_id`, `_ids`, `_url`, `_urls`, `_ip` back to upper case, which
/// Foundation's own `.convertFromSnakeCase` would not. Keys inside a `JSONValue` are never converted
/// (see `JSONValue: Codable`).
public enum JSONCoding {
    /// Keys become snake_case (`createdAt` → `created_at`); dates are written with `Timestamp` in UTC,
    /// in whole seconds (`2026-11-21T16:48:00Z`) when the date has no fraction of a second and with
    /// milliseconds (`2026-11-21T16:48:00.123Z`) otherwise, rounded to the nearest millisecond.
    /// Keys are not sorted: canonical bytes come from `JSONValue.serialized()`.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { codingPath in
            SnakeCaseKey(stringValue: snakeCase(fromCamelCase: codingPath.last?.stringValue ?? ""))
        }
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
        decoder.keyDecodingStrategy = .custom { codingPath in
            let key = codingPath.last?.stringValue ?? ""
            return SnakeCaseKey(stringValue: camelCase(fromSnakeCase: key))
        }
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

    /// Words written in capitals in Swift names.
    static let acronyms: [Substring: String] = ["id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs", "ip": "IP"]

    /// `payee_id` → `payeeID`, `webhook_url` → `webhookURL`, `created_at` → `createdAt`.
    static func camelCase(fromSnakeCase key: String) -> String {
        guard key.contains("_"), !key.hasPrefix("_") else { return key }
        let words = key.split(separator: "_", omittingEmptySubsequences: true)
        guard var result = words.first.map(String.init) else { return key }
        for word in words.dropFirst() {
            if let acronym = acronyms[word] {
                result += acronym
            } else {
                result += word.prefix(1).uppercased() + word.dropFirst()
            }
        }
        return result
    }

    /// `payeeIDs` → `payee_ids`, `webhookURL` → `webhook_url`, `URLPath` → `url_path`, `createdAt` → `created_at`.
    static func snakeCase(fromCamelCase key: String) -> String {
        let characters = Array(key)
        var words: [String] = []
        var current = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, !current.isEmpty {
                let previous = characters[index - 1]
                let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
                let afterNext: Character? = index + 2 < characters.count ? characters[index + 2] : nil
                // A plural acronym ("IDs") keeps its "s".
                let pluralS = next == "s" && (afterNext == nil || afterNext?.isUppercase == true)
                if previous.isLowercase || previous.isNumber
                    || (previous.isUppercase && next?.isLowercase == true && !pluralS)
                {
                    words.append(current)
                    current = ""
                }
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }.joined(separator: "_")
    }

    struct SnakeCaseKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { return nil }
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
