/// Why a money operation was refused. `code` is stable and safe to return to API clients
/// (`invalid_amount`, `too_many_decimals`, `currency_mismatch`, `amount_overflow`, `negative_amount`,
/// `unknown_currency`, `division_by_zero`); `message` is a fixed sentence that never echoes input.
public struct MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static let invalidAmount = MoneyError(code: "invalid_amount", message: "The amount is not a plain decimal number.")
    static let tooManyDecimals = MoneyError(
        code: "too_many_decimals", message: "The amount has more decimal places than the currency allows.")
    static let currencyMismatch = MoneyError(
        code: "currency_mismatch", message: "The amounts are in different currencies.")
    public static let overflow = MoneyError(code: "amount_overflow", message: "The amount is too large.")
    static let negativeAmount = MoneyError(code: "negative_amount", message: "The amount must not be negative.")
    static let unknownCurrency = MoneyError(
        code: "unknown_currency", message: "The currency is not an active ISO 4217 code.")
    static let divisionByZero = MoneyError(code: "division_by_zero", message: "The divisor is zero.")
    static let invalidWeights = MoneyError(
        code: "invalid_amount", message: "Allocation weights must be non-empty, non-negative and not all zero.")
}
