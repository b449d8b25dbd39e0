extension Money {
    /// `self × numerator / denominator`, exact in 128-bit integer arithmetic, then rounded once.
    ///
    /// A 2.5% fee is `multiplied(by: 250, dividedBy: 10_000, rounding: .halfEven)`. Signs of all three
    /// operands are honoured; `rounding` decides what happens between two minor units.
    public func multiplied(by numerator: Int64, dividedBy denominator: Int64, rounding: MoneyRounding)
        throws(MoneyError)
        -> Money
    {
        guard denominator != 0 else { throw .divisionByZero }
        // Work on magnitudes so Int64.min and mixed signs need no special cases.
        let divisor = denominator.magnitude
        let product = minorUnits.magnitude.multipliedFullWidth(by: numerator.magnitude)
        // dividingFullWidth traps when the quotient needs more than 64 bits; that is exactly high >= divisor.
        guard product.high < divisor else { throw .overflow }
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        let negative = ((minorUnits < 0) != (numerator < 0)) != (denominator < 0)
        let roundAway: Bool
        if remainder == 0 {
            roundAway = false
        } else {
            // remainder < divisor, so comparing with divisor - remainder avoids doubling past 64 bits.
            let rest = divisor - remainder
            switch rounding {
            case .down: roundAway = false
            case .up: roundAway = true
            case .halfUp: roundAway = remainder >= rest
            case .halfEven: roundAway = remainder > rest || (remainder == rest && quotient & 1 == 1)
            case .floor: roundAway = negative
            case .ceiling: roundAway = !negative
            }
        }
        var magnitude = quotient
        if roundAway {
            let (next, overflow) = magnitude.addingReportingOverflow(1)
            guard !overflow else { throw .overflow }
            magnitude = next
        }
        return Money(minorUnits: try Money.signed(magnitude, negative: negative), currency: currency)
    }
}
