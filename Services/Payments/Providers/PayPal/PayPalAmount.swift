import ProviderKit
import Shared

/// PayPal amounts: `{"currency_code":"USD","value":"10.50"}`, the value a decimal string in major
/// units, converted exactly both ways (never through floating point).
enum PayPalAmount {
    static func json(_ money: Money) -> JSONValue {
        ["currency_code": .string(money.currency.code), "value": .string(money.majorUnitString)]
    }

    /// Nil when absent; an amount that is present but not exact in a known currency is refused, never
    /// rounded or guessed.
    static func money(_ json: JSONValue?, call: ProviderCall) throws(ProviderError) -> Money? {
        guard let json, !json.isNull else { return nil }
        guard let code = json["currency_code"]?.stringValue, let currency = Currency(code: code),
            let value = json["value"]?.stringValue, let money = try? Money.parse(major: value, currency: currency)
        else {
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "an amount that is not exact")
        }
        return money
    }
}
