import Shared

/// An amount as people read it in a message, from minor units with integer arithmetic only (never
/// floating point): the currency's own exponent (JPY none, KWD three), its symbol, and the locale's
/// grouping and decimal mark — `₹1,23,456.50` in Hindi (Indian grouping), `₹123,456.50` in English,
/// `KSh 1,234.50` in Swahili, `1 234,50 €` in French.
enum MoneyText {
    /// Symbols people know; a currency not listed is written with its code (`CHF 12.00`).
    static let symbols: [String: String] = [
        "INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "KES": "KSh", "ZMW": "K", "ZAR": "R", "NGN": "₦", "GHS": "GH₵",
        "UGX": "USh", "TZS": "TSh", "RWF": "RF", "MWK": "MK", "XOF": "CFA", "XAF": "FCFA", "JPY": "¥",
    ]

    /// The locales templates ship in; anything else is written as English.
    enum Style {
        case english, indian, french
    }

    static func style(for locale: String) -> Style {
        switch locale.lowercased().prefix(2) {
        case "hi": .indian
        case "fr": .french
        default: .english  // en, sw, zu and any other
        }
    }

    static func format(_ money: Money, locale: String) -> String {
        let style = style(for: locale)
        let exponent = max(0, money.currency.exponent)
        // Int64.min has no positive counterpart: take the magnitude as UInt64.
        let magnitude = money.minorUnits.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let whole = magnitude / divisor
        let fraction = magnitude % divisor
        let groupSeparator = style == .french ? "\u{202F}" : ","
        let decimalMark = style == .french ? "," : "."
        var number = group(String(whole), indian: style == .indian, separator: groupSeparator)
        if exponent > 0 {
            let digits = String(fraction)
            number += decimalMark + String(repeating: "0", count: exponent - digits.count) + digits
        }
        let sign = money.minorUnits < 0 ? "-" : ""
        let symbol = symbols[money.currency.code]
        if style == .french { return sign + number + "\u{00A0}" + (symbol ?? money.currency.code) }
        guard let symbol else { return sign + money.currency.code + "\u{00A0}" + number }
        // A symbol of several letters reads better apart from the number (`KSh 1,234.50`).
        let spaced = symbol.count > 1 && symbol.allSatisfy(\.isLetter)
        return sign + symbol + (spaced ? "\u{00A0}" : "") + number
    }

    /// Thousands grouping, or the Indian 3-then-2 grouping (1,23,45,678).
    static func group(_ digits: String, indian: Bool, separator: String) -> String {
        var characters = Array(digits)
        var groups: [String] = []
        var size = 3
        while characters.count > size {
            groups.insert(String(characters.suffix(size)), at: 0)
            characters.removeLast(size)
            if indian { size = 2 }
        }
        groups.insert(String(characters), at: 0)
        return groups.joined(separator: separator)
    }
}
