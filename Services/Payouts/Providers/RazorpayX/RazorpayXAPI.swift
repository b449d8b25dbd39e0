import HTTP
import ProviderKit
import Shared

/// The payouts adapter's calls to RazorpayX through the shared `RazorpayClient` (the same keys as
/// Razorpay payments, HTTP Basic, JSON).
struct RazorpayXAPI: Sendable {
    let client: RazorpayClient

    /// The connector's RazorpayX account number (the business account payouts are debited from):
    /// RazorpayX asks for it on every payout and every payout list.
    static func sourceAccount(_ connector: ProviderConnector) throws(ProviderError) -> String {
        try connector.requiredCredential("account_number")
    }

    func get(_ path: String, ids: [String] = [], query: [(String, String)] = [], connector: ProviderConnector)
        async throws(ProviderError) -> PayoutAnswer
    {
        try Self.answer(try await client.exchange(.GET, path, ids: ids, query: query, connector: connector))
    }

    /// A GET whose 404 means "no such object": nil rather than an error.
    func find(_ path: String, ids: [String], connector: ProviderConnector) async throws(ProviderError) -> PayoutAnswer?
    {
        let exchange = try await client.exchange(.GET, path, ids: ids, connector: connector)
        if exchange.status == 404 { return nil }
        return try Self.answer(exchange)
    }

    /// A POST carrying `X-Payout-Idempotency`, which RazorpayX requires on payouts and honours: a
    /// repeat with the same key and body returns the first payout, so the call is safe to repeat.
    func post(
        _ path: String, body: JSONValue, idempotencyKey: String, secrets: [String: String], connector: ProviderConnector
    )
        async throws(ProviderError) -> PayoutAnswer
    {
        try Self.answer(
            try await client.exchange(
                .POST, path, body: body, payoutIdempotencyKey: idempotencyKey, secrets: secrets,
                connector: connector))
    }

    private static func answer(_ exchange: ProviderExchange) throws(ProviderError) -> PayoutAnswer {
        try exchange.payoutAnswer(.razorpay) { _, _ in RazorpayClient.error(exchange, product: "RazorpayX") }
    }
}
