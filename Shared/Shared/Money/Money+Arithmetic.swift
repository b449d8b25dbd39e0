import Foundation

extension Money {
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: sum, currency: currency)
    }

    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch }
        let (difference, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: difference, currency: currency)
    }

    /// The same amount with the opposite sign; only `Int64.min` has no opposite.
    public var negated: Money {
        get throws(MoneyError) {
            let (result, overflow) = Int64(0).subtractingReportingOverflow(minorUnits)
            guard !overflow else { throw .overflow }
            return Money(minorUnits: result, currency: currency)
        }
    }

    /// Orders two amounts of the same currency; a different currency is an error, never an answer.
    public func compare(_ other: Money) throws(MoneyError) -> ComparisonResult {
        guard currency == other.currency else { throw .currencyMismatch }
        if minorUnits < other.minorUnits { return .orderedAscending }
        if minorUnits > other.minorUnits { return .orderedDescending }
        return .orderedSame
    }

    public func isLess(than other: Money) throws(MoneyError) -> Bool {
        try compare(other) == .orderedAscending
    }

    public func isGreater(than other: Money) throws(MoneyError) -> Bool {
        try compare(other) == .orderedDescending
    }
}
