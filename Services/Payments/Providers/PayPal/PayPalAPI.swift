import HTTP
import ProviderKit
import Shared

/// The payments adapter's calls to PayPal through the shared `PayPalClient` (OAuth token, retry on a
/// 401, `PayPal-Request-Id`): every money-moving POST asks for the full representation so the answer
/// says what was captured or refunded, and an error answer is read as the payments API's errors.
struct PayPalAPI: Sendable {
    let client: PayPalClient

    /// A JSON answer, or nil for an empty one (a void answers 204).
    func call(
        _ method: HTTPMethod, _ path: String, ids: [String] = [], body: JSONValue? = nil, requestID: String? = nil,
        role: ProviderCall.Role = .operation, connector: ProviderConnector
    ) async throws(ProviderError) -> (JSONValue?, ProviderCall) {
        let exchange = try await client.exchange(
            method, path, ids: ids, body: body, requestID: requestID, representation: true,
            role: role, connector: connector)
        guard exchange.isSuccess else { throw PayPalErrorMapping.error(exchange.response, secrets: exchange.secrets) }
        if exchange.response.body.isEmpty { return (nil, exchange.call) }
        return (try exchange.json(.paypal), exchange.call)
    }
}
