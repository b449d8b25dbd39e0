import HTTP
import ProviderKit
import Shared

/// The payouts adapter's calls to Stripe through the shared `StripeClient` (the pinned API version,
/// form bodies, `Idempotency-Key` on POSTs).
struct StripeTransferAPI: Sendable {
    let client: StripeClient

    /// A POST with `Idempotency-Key`, which Stripe honours for 24 hours: a retry returns the first result.
    func post(_ path: String, form: FormBody, idempotencyKey: String, connector: ProviderConnector)
        async throws(ProviderError)
        -> PayoutAnswer
    {
        try Self.answer(
            try await client.exchange(.POST, path, form: form, idempotencyKey: idempotencyKey, connector: connector))
    }

    func get(_ path: String, query: [(String, String)] = [], connector: ProviderConnector) async throws(ProviderError)
        -> PayoutAnswer
    {
        try Self.answer(try await client.exchange(.GET, path, query: query, connector: connector))
    }

    /// A GET whose 404 (`resource_missing`) means "no such object": nil rather than an error.
    func find(_ path: String, ids: [String], connector: ProviderConnector) async throws(ProviderError) -> PayoutAnswer?
    {
        let exchange = try await client.exchange(.GET, path, ids: ids, connector: connector)
        if exchange.status == 404 { return nil }
        return try Self.answer(exchange)
    }

    private static func answer(_ exchange: ProviderExchange) throws(ProviderError) -> PayoutAnswer {
        try exchange.payoutAnswer(.stripe) { _, _ in StripeTransferErrorMapping.error(exchange) }
    }
}
