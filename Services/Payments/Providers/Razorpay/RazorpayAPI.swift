import HTTP
import ProviderKit
import Shared

/// The payments adapter's calls to Razorpay through the shared `RazorpayClient` (HTTP Basic, JSON).
///
/// Razorpay takes no idempotency key on these endpoints, so its POSTs are marked not idempotent; the
/// adapter de-duplicates by looking up what a previous attempt may have created (see `RazorpayAdapter`).
struct RazorpayAPI: Sendable {
    let client: RazorpayClient

    func get(
        _ path: String, ids: [String] = [], query: [(String, String)] = [], role: ProviderCall.Role,
        connector: ProviderConnector
    ) async throws(ProviderError) -> (JSONValue, ProviderCall) {
        try Self.answer(try await client.exchange(.GET, path, ids: ids, query: query, role: role, connector: connector))
    }

    func post(_ path: String, ids: [String] = [], body: JSONValue, connector: ProviderConnector)
        async throws(ProviderError)
        -> (JSONValue, ProviderCall)
    {
        try Self.answer(try await client.exchange(.POST, path, ids: ids, body: body, connector: connector))
    }

    private static func answer(_ exchange: ProviderExchange) throws(ProviderError) -> (JSONValue, ProviderCall) {
        guard exchange.isSuccess else { throw RazorpayClient.error(exchange) }
        return (try exchange.json(.razorpay), exchange.call)
    }
}
