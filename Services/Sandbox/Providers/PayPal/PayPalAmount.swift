import Shared

/// PayPal's money object, `{"currency_code":"USD","value":"10.50"}`: a decimal string in major units,
/// converted exactly (never through floating point).
enum PayPalAmount {
    static func json(_ money: Money) -> JSONValue {
        .object(["currency_code": .string(money.currency.code), "value": .string(money.majorUnitString)])
    }

    /// Reads `object` (at `field`, for error details) into exact minor units.
    static func parse(_ object: JSONValue?, field: String) throws(PayPalError) -> Money {
        guard let object, case .object = object else {
            throw .invalidRequest(
                "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.", field: field)
        }
        guard let code = object["currency_code"]?.stringValue else {
            throw .invalidRequest(
                "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.",
                field: field + "/currency_code")
        }
        guard let currency = Currency(code: code), code == currency.code else {
            throw .invalidRequest(
                "INVALID_CURRENCY_CODE", "Currency code is invalid or is not currently supported.",
                field: field + "/currency_code")
        }
        guard let value = object["value"]?.stringValue else {
            throw .invalidRequest(
                "MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.", field: field + "/value")
        }
        let money: Money
        do {
            money = try Money.parse(major: value, currency: currency)
        } catch let error where error.code == "too_many_decimals" {
            throw .unprocessable(
                "DECIMAL_PRECISION",
                "If the currency supports decimals, only two decimal place precision is supported.",
                field: field + "/value")
        } catch {
            throw .invalidRequest(
                "INVALID_PARAMETER_VALUE", "The value of a field is invalid.", field: field + "/value")
        }
        guard money.minorUnits > 0 else {
            throw .unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE", "Must be greater than zero.", field: field + "/value")
        }
        return money
    }
}
