import Contracts
import HTTP
import ProviderKit
import Shared

/// RazorpayX Payouts: money out of the business's RazorpayX account (the connector's `account_number`)
/// to an Indian bank account (IMPS, or NEFT above the IMPS limit) or a UPI address.
///
/// Every payout carries `X-Payout-Idempotency` (mandatory at RazorpayX since March 2025) and Coffer's
/// payout id as `reference_id`, so a retry returns the first payout and a payout whose answer was lost
/// is found again by reference. RazorpayX shares Razorpay's API keys, so the connector is a `razorpay` one.
struct RazorpayXPayoutAdapter: PayoutProviderAdapter {
    let provider = ProviderName.razorpay
    let destinations: Set<PayoutDestination.Kind> = [.bankAccount, .upi]
    let api: RazorpayXAPI

    init(httpClient: any HTTPClient) {
        api = RazorpayXAPI(
            client: RazorpayClient(transport: ProviderTransport(provider: .razorpay, httpClient: httpClient)))
    }

    func send(_ request: ProviderPayoutRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState
    {
        let key = Self.idempotencyKey(try ProviderIdentifiers.requireKey(request.idempotencyKey))
        let body = try RazorpayXPayoutBody.json(request, sourceAccount: try RazorpayXAPI.sourceAccount(connector))
        let payee = request.destination.secrets
        let payout = try await api.post(
            "/v1/payouts", body: body, idempotencyKey: key, secrets: payee, connector: connector)
        return try RazorpayXPayoutMapping.state(payout, secrets: connector.secrets(payee))
    }

    /// `GET /v1/payouts/{id}`, or `GET /v1/payouts?account_number=…&reference_id=…` (the newest payout
    /// whose `reference_id` is Coffer's, checked here too in case a server ignores the filter).
    func fetch(providerPayoutID: String?, reference: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState?
    {
        if let providerPayoutID {
            let id = try ProviderIdentifiers.require(providerPayoutID, "payout id")
            guard let payout = try await api.find("/v1/payouts/{}", ids: [id], connector: connector) else { return nil }
            return try RazorpayXPayoutMapping.state(payout, secrets: connector.secrets())
        }
        let account = try RazorpayXAPI.sourceAccount(connector)
        let reference = try ProviderIdentifiers.require(reference, "payout reference")
        let list = try await api.get(
            "/v1/payouts", query: [("account_number", account), ("reference_id", reference)], connector: connector)
        let matches = try list.array("items").filter { $0["reference_id"]?.stringValue == reference }
        guard let newest = RazorpayXPayoutMapping.newest(matches) else { return nil }
        return try RazorpayXPayoutMapping.state(list.with(newest), secrets: connector.secrets())
    }

    /// `GET /v1/banking_balances`: the entry for the connector's account, its `available_amount` (what
    /// can be withdrawn, net of liens) in paise. Nil for other currencies or an account not listed.
    func balance(currency: Currency, connector: ProviderConnector) async throws(ProviderError) -> Int64? {
        guard currency == .inr else { return nil }
        let account = try RazorpayXAPI.sourceAccount(connector)
        let list = try await api.get("/v1/banking_balances", query: [("count", "100")], connector: connector)
        guard let entry = try list.array("items").first(where: { $0["account_number"]?.stringValue == account }) else {
            return nil
        }
        let balance = list.with(entry)
        if balance.json["currency"] != nil, try balance.currency("currency") != currency { return nil }
        return try balance.minorUnits(balance.json["available_amount"] == nil ? "amount" : "available_amount")
    }

    /// RazorpayX takes 4–36 letters, digits, hyphens, underscores and spaces as an idempotency key; a
    /// key outside that shape is sent as its derived UUID, the same on every retry.
    static func idempotencyKey(_ key: String) -> String {
        let fits =
            (4...36).contains(key.utf8.count)
            && key.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: " "):
                    true
                default: false
                }
            }
        return fits ? key : PayoutReferenceUUID.make(from: key)
    }
}
