import Shared

/// A payload on a hot write path that writes its event data directly instead of through
/// `JSONEncoder` and a re-parse (measured: a payout's two events cost more CPU through Foundation's
/// encoder than the rest of its request). The document is exactly what `JSONCoding`'s encoder
/// writes — snake_case keys, `null` for absent optionals, money flat — and `EventPayloadJSONTests`
/// proves it for every conforming type, so consumers decode it with the same `Decodable`.
public protocol EventPayloadJSON: Encodable {
    var eventJSON: JSONValue { get }
}

extension JSONValue {
    fileprivate static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
    fileprivate static func optional(_ value: Bool?) -> JSONValue { value.map(JSONValue.bool) ?? .null }
    fileprivate static func optional(_ list: [String]?) -> JSONValue {
        list.map { .array($0.map(JSONValue.string)) } ?? .null
    }
}

extension PayoutEventData: EventPayloadJSON {
    public var eventJSON: JSONValue {
        [
            "payout_id": .string(payoutID.rawValue), "payee_id": .string(payeeID.rawValue),
            "tenant_id": .string(tenantID.rawValue),
            "livemode": .optional(livemode), "amount": .int(money.minorUnits), "currency": .string(money.currency.code),
            "status": .string(status), "purpose": .optional(purpose), "failure_code": .optional(failureCode),
            "failure_message": .optional(failureMessage), "destination_check": .optional(destinationCheck),
            "approval_reasons": .optional(approvalReasons), "hold_reasons": .optional(holdReasons),
            "batch_id": .optional(batchID),
            "provider_payout_id": .optional(providerPayoutID),
        ]
    }
}

extension PayeeBalanceChange: EventPayloadJSON {
    public var eventJSON: JSONValue {
        [
            "payee_id": .string(payeeID.rawValue), "tenant_id": .string(tenantID.rawValue),
            "livemode": .optional(livemode),
            "amount": .int(money.minorUnits), "currency": .string(money.currency.code), "reason": .string(reason),
            "source_id": .string(sourceID), "payment_id": .optional(paymentID),
        ]
    }
}
