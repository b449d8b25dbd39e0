/// An ISO 4217 currency: its uppercase alpha code and how many minor-unit digits it has
/// (JPY 0, INR 2, KWD 3, CLF 4). Only active codes that have minor units exist as values.
public struct Currency: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// Uppercase ISO 4217 alpha code, e.g. `USD`.
    public let code: String
    /// Digits after the decimal point in the major unit: 2 for USD (cents), 0 for JPY.
    public let exponent: Int

    /// Looks the code up case-insensitively; nil when it is not an active ISO 4217 code with minor units.
    public init?(code: String) {
        // Every ISO code is three ASCII letters; checking first keeps odd input away from uppercased().
        guard code.utf8.count == 3, code.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else {
            return nil
        }
        let upper = code.uppercased()
        guard let exponent = CurrencyTable.exponents[upper] else { return nil }
        self.code = upper
        self.exponent = exponent
    }

    private init(known code: String, exponent: Int) {
        self.code = code
        self.exponent = exponent
    }

    public var description: String { code }

    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.code < rhs.code }

    public static let usd = Currency(known: "USD", exponent: 2)
    public static let eur = Currency(known: "EUR", exponent: 2)
    public static let gbp = Currency(known: "GBP", exponent: 2)
    public static let inr = Currency(known: "INR", exponent: 2)
    public static let jpy = Currency(known: "JPY", exponent: 0)
    public static let kwd = Currency(known: "KWD", exponent: 3)
    public static let bhd = Currency(known: "BHD", exponent: 3)
    public static let zar = Currency(known: "ZAR", exponent: 2)
    public static let ngn = Currency(known: "NGN", exponent: 2)
    public static let ghs = Currency(known: "GHS", exponent: 2)
    public static let kes = Currency(known: "KES", exponent: 2)
    public static let ugx = Currency(known: "UGX", exponent: 0)
    public static let zmw = Currency(known: "ZMW", exponent: 2)
    public static let rwf = Currency(known: "RWF", exponent: 0)
    public static let xof = Currency(known: "XOF", exponent: 0)
    public static let xaf = Currency(known: "XAF", exponent: 0)
    public static let tzs = Currency(known: "TZS", exponent: 2)
    public static let mwk = Currency(known: "MWK", exponent: 2)
    public static let egp = Currency(known: "EGP", exponent: 2)
    public static let cad = Currency(known: "CAD", exponent: 2)
    public static let aud = Currency(known: "AUD", exponent: 2)

    /// Every supported currency, sorted by code.
    public static var all: [Currency] {
        CurrencyTable.exponents.map { Currency(known: $0.key, exponent: $0.value) }.sorted()
    }
}

extension Currency: Codable {
    /// Decodes from the code string; an unknown code is a data error, not a silent default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let currency = Currency(code: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Not an active ISO 4217 currency code.")
        }
        self = currency
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
