import HTTP
import ProviderKit
import Shared

/// Calls to RazorpayX: HTTP Basic with the connector's `key_id:key_secret` (the same keys as Razorpay
/// payments), JSON both ways.
struct RazorpayXAPI: Sendable {
    let transport: ProviderTransport

    /// The connector's RazorpayX account number (the business account payouts are debited from):
    /// RazorpayX asks for it on every payout and every payout list.
    static func sourceAccount(_ connector: ProviderConnector) throws(ProviderError) -> String {
        guard let account = connector.credentials["account_number"], !account.isEmpty else {
            throw ProviderError.missingCredential("account_number", provider: .razorpay)
        }
        return account
    }

    func get(_ path: String, ids: [String] = [], query: [(String, String)] = [], connector: ProviderConnector)
        async throws(ProviderError) -> PayoutAnswer
    {
        let (response, call) = try await sendGet(path, ids: ids, query: query, connector: connector)
        return try answer(response, call: call, secrets: connector.secrets())
    }

    /// A GET whose 404 means "no such object": nil rather than an error.
    func find(_ path: String, ids: [String], connector: ProviderConnector) async throws(ProviderError) -> PayoutAnswer? {
        let (response, call) = try await sendGet(path, ids: ids, query: [], connector: connector)
        if response.status.code == 404 { return nil }
        return try answer(response, call: call, secrets: connector.secrets())
    }

    private func sendGet(_ path: String, ids: [String], query: [(String, String)], connector: ProviderConnector)
        async throws(ProviderError) -> (HTTPClientResponse, ProviderCall)
    {
        let call = ProviderCall(
            .GET, url: ProviderURL.url(connector.apiBaseURL, path, ids: ids, query: query),
            headers: try headers(connector), isIdempotent: true)
        return (try await transport.send(call, timeout: connector.timeout), call)
    }

    /// A POST carrying `X-Payout-Idempotency`, which RazorpayX requires on payouts and honours: a
    /// repeat with the same key and body returns the first payout, so the call is safe to repeat.
    func post(_ path: String, body: JSONValue, idempotencyKey: String, secrets: [String: String],
              connector: ProviderConnector) async throws(ProviderError) -> PayoutAnswer
    {
        var headers = try headers(connector)
        headers.add("Content-Type", "application/json")
        headers.add("X-Payout-Idempotency", idempotencyKey)
        let call = ProviderCall(
            .POST, url: ProviderURL.url(connector.apiBaseURL, path), headers: headers, body: body.serialized(),
            isIdempotent: true)
        let response = try await transport.send(call, timeout: connector.timeout)
        return try answer(response, call: call, secrets: connector.secrets(secrets))
    }

    private func answer(_ response: HTTPClientResponse, call: ProviderCall, secrets: [String: String])
        throws(ProviderError) -> PayoutAnswer
    {
        guard response.status.isSuccess else { throw RazorpayXErrorMapping.error(response, secrets: secrets) }
        return PayoutAnswer(
            try ProviderResponse.json(response, provider: .razorpay, call: call), provider: .razorpay, call: call)
    }

    private func headers(_ connector: ProviderConnector) throws(ProviderError) -> HTTPHeaders {
        guard let keyID = connector.credentials["key_id"], !keyID.isEmpty else {
            throw ProviderError.missingCredential("key_id", provider: .razorpay)
        }
        guard let keySecret = connector.credentials["key_secret"], !keySecret.isEmpty else {
            throw ProviderError.missingCredential("key_secret", provider: .razorpay)
        }
        return [
            "Authorization": "Basic \(Base64.encode(Array("\(keyID):\(keySecret)".utf8)))",
            "Accept": "application/json",
        ]
    }
}
