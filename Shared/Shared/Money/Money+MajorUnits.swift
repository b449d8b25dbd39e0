extension Money {
    /// Parses a major-unit decimal string exactly, as providers such as PayPal send it (`"10.50"`).
    ///
    /// Accepts `10`, `10.5`, `10.50`, `0.05` and, only with `allowNegative`, a leading `-`.
    /// Extra fraction digits beyond the currency's exponent are accepted only when they are zeros
    /// (`"10.500"` USD is 1050), because dropping a non-zero digit would lose money silently.
    /// Rejects empty input, whitespace, `+`, exponents, `.5`, `10.`, grouping separators, leading
    /// zeros such as `007` (not a form any provider sends) and anything that overflows `Int64`.
    public static func parse(major text: String, currency: Currency, allowNegative: Bool = false) throws(MoneyError)
        -> Money
    {
        let zero = UInt8(ascii: "0")
        var utf8 = text.utf8[...]
        var negative = false
        if utf8.first == UInt8(ascii: "-") {
            negative = true
            utf8 = utf8.dropFirst()
        }
        // Integer part: at least one digit, no leading zeros.
        var magnitude: UInt64 = 0
        var integerDigits = 0
        while let byte = utf8.first, byte &- zero < 10 {
            if integerDigits == 1 && magnitude == 0 { throw .invalidAmount }
            magnitude = try accumulate(magnitude, digit: byte &- zero)
            integerDigits += 1
            utf8 = utf8.dropFirst()
        }
        guard integerDigits > 0 else { throw .invalidAmount }
        // Fraction: `.` then at least one digit; digits past the exponent must be zeros.
        var fractionDigits = 0
        if utf8.first == UInt8(ascii: ".") {
            utf8 = utf8.dropFirst()
            var sawExcessNonZero = false
            while let byte = utf8.first, byte &- zero < 10 {
                if fractionDigits < currency.exponent {
                    magnitude = try accumulate(magnitude, digit: byte &- zero)
                } else if byte != zero {
                    sawExcessNonZero = true
                }
                fractionDigits += 1
                utf8 = utf8.dropFirst()
            }
            guard fractionDigits > 0, utf8.isEmpty else { throw .invalidAmount }
            if sawExcessNonZero { throw .tooManyDecimals }
        }
        guard utf8.isEmpty else { throw .invalidAmount }
        for _ in min(fractionDigits, currency.exponent)..<currency.exponent {
            magnitude = try accumulate(magnitude, digit: 0)
        }
        if negative && !allowNegative { throw .negativeAmount }
        return Money(minorUnits: try signed(magnitude, negative: negative), currency: currency)
    }

    /// The amount in major units with exactly `currency.exponent` fraction digits:
    /// `10.50` (USD), `1000` (JPY), `1.234` (KWD), `-0.05`.
    public var majorUnitString: String {
        var digits = Array(String(minorUnits.magnitude).utf8)
        let exponent = currency.exponent
        if exponent > 0 {
            // Pad so there is at least one integer digit before the point.
            if digits.count <= exponent {
                digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: exponent + 1 - digits.count), at: 0)
            }
            digits.insert(UInt8(ascii: "."), at: digits.count - exponent)
        }
        if minorUnits < 0 { digits.insert(UInt8(ascii: "-"), at: 0) }
        return String(decoding: digits, as: UTF8.self)
    }

    private static func accumulate(_ value: UInt64, digit: UInt8) throws(MoneyError) -> UInt64 {
        let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflowB) = times10.addingReportingOverflow(UInt64(digit))
        // 2^63 is the largest magnitude any Int64 has (Int64.min); checking here stops runaway input early.
        guard !overflowA, !overflowB, sum <= UInt64(Int64.max) + 1 else { throw .overflow }
        return sum
    }

    /// Applies a sign to a magnitude of at most 2^63, refusing what `Int64` cannot hold.
    static func signed(_ magnitude: UInt64, negative: Bool) throws(MoneyError) -> Int64 {
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw .overflow }
            return Int64(bitPattern: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw .overflow }
        return Int64(magnitude)
    }
}
