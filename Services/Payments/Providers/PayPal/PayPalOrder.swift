import ProviderKit
import Shared

/// A PayPal Orders v2 order as far as Coffer reads it: status, intent, amount, the captures and
/// authorizations under its (single) purchase unit, and the page where the payer approves it.
struct PayPalOrder: Sendable {
    /// A capture or authorization under the order.
    struct Transaction: Sendable {
        let id: String
        let status: String
        let amount: Money?
    }

    let id: String
    let status: String
    /// `CAPTURE` or `AUTHORIZE`; nil when the answer left it out.
    let intent: String?
    let amount: Money?
    let captures: [Transaction]
    let authorizations: [Transaction]
    /// The `payer-action` link (orders created with a payment source), else `approve`.
    let actionURL: String?

    init(_ json: JSONValue, call: ProviderCall) throws(ProviderError) {
        guard let id = json["id"]?.stringValue, !id.isEmpty, let status = json["status"]?.stringValue else {
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "an order without id or status")
        }
        self.id = id
        self.status = status
        intent = json["intent"]?.stringValue
        let unit = json.value(at: "purchase_units.0")
        amount = try PayPalAmount.money(unit?["amount"], call: call)
        captures = try Self.transactions(unit?.value(at: "payments.captures"), call: call)
        authorizations = try Self.transactions(unit?.value(at: "payments.authorizations"), call: call)
        let links = json["links"]?.arrayValue ?? []
        func link(_ rel: String) -> String? {
            links.first { $0["rel"]?.stringValue == rel }?["href"]?.stringValue
        }
        actionURL = link("payer-action") ?? link("approve")
    }

    var isAuthorizeIntent: Bool { intent == "AUTHORIZE" || (intent == nil && !authorizations.isEmpty) }

    /// Captured money: completed captures, including those refunded since (refunds are tracked apart).
    var capturedAmount: Int64 {
        captures.filter { Self.capturedStatuses.contains($0.status) }.reduce(0) { $0 + ($1.amount?.minorUnits ?? 0) }
    }

    static let capturedStatuses: Set<String> = ["COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED"]

    private static func transactions(_ json: JSONValue?, call: ProviderCall) throws(ProviderError) -> [Transaction] {
        guard let json, !json.isNull else { return [] }
        guard let items = json.arrayValue else {
            throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "payments that are not a list")
        }
        var result: [Transaction] = []
        for item in items {
            guard let id = item["id"]?.stringValue, let status = item["status"]?.stringValue else {
                throw ProviderError.unexpectedResponse(provider: .paypal, call: call, "a payment without id or status")
            }
            result.append(
                Transaction(id: id, status: status, amount: try PayPalAmount.money(item["amount"], call: call)))
        }
        return result
    }
}
