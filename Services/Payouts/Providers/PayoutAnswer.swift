import Contracts
import HTTP
import ProviderKit
import Shared

/// A provider's JSON answer being read into a payout state. Every field that must be there and is not
/// becomes `unexpectedResponse` naming the field (never its value): after a POST that is "may have taken
/// effect", after a GET "unavailable", as `ProviderCall.mayTakeEffect` decides.
struct PayoutAnswer {
    let json: JSONValue
    let provider: ProviderName
    let call: ProviderCall

    init(_ json: JSONValue, provider: ProviderName, call: ProviderCall) {
        self.json = json
        self.provider = provider
        self.call = call
    }

    /// Another object from the same answer (an item of a list), read with the same call's meaning.
    func with(_ json: JSONValue) -> PayoutAnswer { PayoutAnswer(json, provider: provider, call: call) }

    /// The array at `path` (a list answer's items); a list without one is unexpected.
    func array(_ path: String) throws(ProviderError) -> [JSONValue] {
        guard let items = json.value(at: path)?.arrayValue else { throw unexpected("a list without \(path)") }
        return items
    }

    func unexpected(_ what: String) -> ProviderError {
        ProviderError.unexpectedResponse(provider: provider, call: call, what)
    }

    /// A non-empty string at a dotted path.
    func string(_ path: String) throws(ProviderError) -> String {
        guard let value = json.value(at: path)?.stringValue, !value.isEmpty else { throw unexpected("no \(path)") }
        return value
    }

    func optionalString(_ path: String) -> String? {
        json.value(at: path)?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An integer amount in minor units, not negative.
    func minorUnits(_ path: String) throws(ProviderError) -> Int64 {
        guard let amount = json.value(at: path)?.int64Value, amount >= 0 else {
            throw unexpected("no amount in minor units at \(path)")
        }
        return amount
    }

    func currency(_ path: String) throws(ProviderError) -> Currency {
        guard let currency = json.value(at: path)?.stringValue.flatMap(Currency.init(code:)) else {
            throw unexpected("no known currency at \(path)")
        }
        return currency
    }

    /// A major-unit decimal string (`"10.50"`) converted exactly; one that is not exact in `currency`
    /// is refused, never rounded.
    func majorUnits(_ path: String, currency: Currency) throws(ProviderError) -> Int64 {
        guard let text = json.value(at: path)?.stringValue ?? json.value(at: path)?.numberLiteral,
            let money = try? Money.parse(major: text, currency: currency)
        else { throw unexpected("an amount at \(path) that is not exact") }
        return money.minorUnits
    }
}

extension ProviderExchange {
    /// A JSON success read as a payout answer, or the provider's error as `mapError` reads it.
    func payoutAnswer(_ provider: ProviderName, _ mapError: (HTTPClientResponse, [String: String]) -> ProviderError)
        throws(ProviderError) -> PayoutAnswer
    {
        guard isSuccess else { throw mapError(response, secrets) }
        return PayoutAnswer(try json(provider), provider: provider, call: call)
    }
}
