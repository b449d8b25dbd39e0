/// How `Money.multiplied(by:dividedBy:rounding:)` settles a result that falls between two minor units.
public enum MoneyRounding: Sendable, Hashable, CaseIterable {
    /// Toward zero (truncation).
    case down
    /// Away from zero.
    case up
    /// To the nearest; a tie goes away from zero.
    case halfUp
    /// To the nearest; a tie goes to the even neighbour (banker's rounding), unbiased over many fees.
    case halfEven
    /// Toward negative infinity.
    case floor
    /// Toward positive infinity.
    case ceiling
}
