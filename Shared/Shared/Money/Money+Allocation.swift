extension Money {
    /// Splits the amount into parts proportional to `weights` that add up exactly to `self`.
    ///
    /// Each part first gets its share rounded toward zero; the minor units left over go one each to
    /// the parts with the largest remainders, ties to the earliest part (largest-remainder method).
    /// 100 split `[1, 1, 1]` is `[34, 33, 33]`; a negative amount splits the same way with signs flipped.
    /// Weights must be non-negative and not all zero; a zero weight gets nothing.
    public func allocated(proportionally weights: [Int64]) throws(MoneyError) -> [Money] {
        guard !weights.isEmpty, weights.allSatisfy({ $0 >= 0 }) else { throw .invalidWeights }
        var total: Int64 = 0
        for weight in weights {
            let (sum, overflow) = total.addingReportingOverflow(weight)
            guard !overflow else { throw .overflow }
            total = sum
        }
        guard total > 0 else { throw .divisionByZero }

        let amount = minorUnits.magnitude
        let divisor = UInt64(total)
        var parts = [UInt64]()
        var remainders = [UInt64]()
        parts.reserveCapacity(weights.count)
        remainders.reserveCapacity(weights.count)
        var distributed: UInt64 = 0
        for weight in weights {
            // weight <= total, so the quotient is at most `amount` and cannot overflow.
            let (share, remainder) = divisor.dividingFullWidth(amount.multipliedFullWidth(by: UInt64(weight)))
            parts.append(share)
            remainders.append(remainder)
            distributed += share
        }
        let leftover = Int(amount - distributed)  // fewer than weights.count: each share lost less than one unit
        if leftover > 0 {
            let order = remainders.indices.sorted {
                remainders[$0] > remainders[$1] || (remainders[$0] == remainders[$1] && $0 < $1)
            }
            for index in order.prefix(leftover) { parts[index] += 1 }
        }
        let negative = minorUnits < 0
        var result = [Money]()
        result.reserveCapacity(parts.count)
        for part in parts {
            result.append(Money(minorUnits: try Money.signed(part, negative: negative), currency: currency))
        }
        return result
    }
}
