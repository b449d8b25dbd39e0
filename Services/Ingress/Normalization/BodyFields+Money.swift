import Foundation
import Shared

extension BodyFields {
    /// An ISO 4217 code in any case (Stripe sends `usd`), returned as Coffer's `Currency`.
    func currency(_ key: String) throws(NormalizationError) -> Currency? {
        guard let code = try string(key) else { return nil }
        guard let currency = Currency(code: code) else { throw invalid(key, "is not a known ISO 4217 currency") }
        return currency
    }

    /// Integer minor units as Stripe, Razorpay, Paystack and PhonePe send them: a JSON integer that fits
    /// `Int64` and is not negative. Fractions, exponents, strings and overflow are refused, never rounded.
    func minorUnits(_ key: String) throws(NormalizationError) -> Int64? {
        guard let value = value(key) else { return nil }
        guard let amount = value.int64Value else { throw invalid(key, "is not an integer amount in minor units") }
        guard amount >= 0 else { throw invalid(key, "is negative") }
        return amount
    }

    /// A major-unit amount (PayPal's `"10.50"`, MTN's `"100"`, Flutterwave's JSON number `100.5`) converted
    /// exactly to minor units of `currency`: strings and numbers both go through their literal text, so no
    /// floating point ever touches them. More decimals than the currency has are refused unless zeros.
    func majorUnits(_ key: String, currency: Currency) throws(NormalizationError) -> Int64? {
        guard let value = value(key) else { return nil }
        let literal: String
        switch value {
        case .string(let text): literal = text
        case .number(let text): literal = text
        default: throw invalid(key, "is not a decimal amount")
        }
        do {
            return try Money.parse(major: literal, currency: currency).minorUnits
        } catch {
            throw invalid(key, Self.problem(error))
        }
    }

    private static func problem(_ error: MoneyError) -> String {
        switch error.code {
        case "too_many_decimals": "has more decimal places than its currency allows"
        case "negative_amount": "is negative"
        case "amount_overflow": "is too large"
        default: "is not a plain decimal amount"
        }
    }
}

/// An amount with its currency, as a `ProviderFact` carries them.
struct FactAmount: Equatable {
    var minorUnits: Int64?
    var currency: String?

    static let none = FactAmount(minorUnits: nil, currency: nil)
}

extension BodyFields {
    /// Minor units at `amountKey` in the currency at `currencyKey` (or `fallback` when the body names
    /// none). An amount without a currency means nothing, so it is refused; a currency alone is kept.
    func minorAmount(_ amountKey: String, currency currencyKey: String, fallback: Currency? = nil)
        throws(NormalizationError) -> FactAmount
    {
        let currency = try currency(currencyKey) ?? fallback
        let amount = try minorUnits(amountKey)
        if amount != nil && currency == nil { throw missing(currencyKey) }
        return FactAmount(minorUnits: amount, currency: currency?.code)
    }

    /// Major units at `amountKey` in the currency at `currencyKey` (or `fallback` when the body names
    /// none, for providers that only ever use one currency).
    func majorAmount(_ amountKey: String, currency currencyKey: String, fallback: Currency? = nil)
        throws(NormalizationError) -> FactAmount
    {
        guard let currency = try currency(currencyKey) ?? fallback else {
            if value(amountKey) != nil { throw missing(currencyKey) }
            return .none
        }
        return FactAmount(minorUnits: try majorUnits(amountKey, currency: currency), currency: currency.code)
    }
}
