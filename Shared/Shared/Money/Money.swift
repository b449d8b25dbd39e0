/// An amount of money: whole minor units (cents, paise, fils) of one ISO 4217 currency.
///
/// Never floating point: amounts from providers arrive as integers in minor units or as
/// major-unit strings (`Money.parse(major:currency:)`), and fees are exact integer ratios.
/// Money is deliberately not `Comparable`: ordering two currencies has no answer, so ordering goes
/// through the throwing `compare(_:)` and its `isLess(than:)`/`isGreater(than:)` helpers.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money {
        Money(minorUnits: 0, currency: currency)
    }

    public var isZero: Bool { minorUnits == 0 }
    public var isNegative: Bool { minorUnits < 0 }
    public var isPositive: Bool { minorUnits > 0 }

    /// `10.50 USD`: for logs and messages; APIs carry `minorUnits` and the code separately.
    public var description: String { "\(majorUnitString) \(currency.code)" }
}
