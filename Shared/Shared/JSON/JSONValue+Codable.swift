import Foundation

/// Bridging to Foundation's coders, so a `JSONValue` can sit inside a Codable type (an event's `data`,
/// a connector's raw settings).
///
/// Integers survive exactly, and so do fractions within `Decimal`'s 38 significant digits, but the
/// literal's spelling may not (`10.50` comes back as `10.5`, `1E2` as `100`). Anything that must be
/// byte-exact (webhook payloads, fingerprints, signatures) goes through `JSONValue.parse` and
/// `serialized()`, never through a Foundation decoder.
///
/// Object members are coded as a `[String: JSONValue]` dictionary, which Foundation's JSON coders
/// exempt from key strategies: `JSONCoding`'s snake_case conversion never rewrites keys inside a
/// `JSONValue`.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .int(integer)
        } else if let integer = try? container.decode(UInt64.self) {
            self = .number(String(integer))
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if (try? decoder.unkeyedContainer()) != nil {
            self = .array(try container.decode([JSONValue].self))
        } else if (try? decoder.container(keyedBy: MemberKey.self)) != nil {
            self = .object(try container.decode([String: JSONValue].self))
        } else {
            // Decimal parses the digits themselves rather than going through binary floating point.
            let number = try container.decode(Decimal.self)
            guard let value = JSONValue.number(literal: number.description) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "Number out of range.")
            }
            self = value
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .string(let text): try container.encode(text)
        case .array(let elements): try container.encode(elements)
        case .object(let members): try container.encode(members)
        case .number(let literal):
            if let integer = Int64(literal) {
                try container.encode(integer)
            } else if let integer = UInt64(literal) {
                try container.encode(integer)
            } else if JSONParser.isNumberLiteral(literal), let number = Decimal(string: literal, locale: nil),
                number.isFinite
            {
                try container.encode(number)
            } else {
                throw EncodingError.invalidValue(
                    self, .init(codingPath: encoder.codingPath, debugDescription: "Number cannot be represented."))
            }
        }
    }

    private struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
