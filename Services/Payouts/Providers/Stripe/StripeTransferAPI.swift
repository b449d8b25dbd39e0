import HTTP
import ProviderKit
import Shared

/// Calls to Stripe for transfers: Bearer secret key, the pinned API version, form bodies, JSON answers.
struct StripeTransferAPI: Sendable {
    /// The version the payments adapter pins too, so both read Stripe's objects the same way.
    static let apiVersion = "2024-06-20"

    let transport: ProviderTransport

    /// A POST with `Idempotency-Key`, which Stripe honours for 24 hours: a retry returns the first result.
    func post(_ path: String, form: StripeTransferForm, idempotencyKey: String, connector: ProviderConnector)
        async throws(ProviderError) -> PayoutAnswer
    {
        var headers = try headers(connector)
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        headers.add("Idempotency-Key", try ProviderIdentifiers.requireKey(idempotencyKey))
        let call = ProviderCall(
            .POST, url: ProviderURL.url(connector.apiBaseURL, path), headers: headers, body: form.encoded,
            isIdempotent: true)
        return try answer(try await transport.send(call, timeout: connector.timeout), call: call, connector: connector)
    }

    func get(_ path: String, query: [(String, String)] = [], connector: ProviderConnector) async throws(ProviderError)
        -> PayoutAnswer
    {
        let (response, call) = try await sendGet(path, ids: [], query: query, connector: connector)
        return try answer(response, call: call, connector: connector)
    }

    /// A GET whose 404 (`resource_missing`) means "no such object": nil rather than an error.
    func find(_ path: String, ids: [String], connector: ProviderConnector) async throws(ProviderError) -> PayoutAnswer? {
        let (response, call) = try await sendGet(path, ids: ids, query: [], connector: connector)
        if response.status.code == 404 { return nil }
        return try answer(response, call: call, connector: connector)
    }

    private func sendGet(_ path: String, ids: [String], query: [(String, String)], connector: ProviderConnector)
        async throws(ProviderError) -> (HTTPClientResponse, ProviderCall)
    {
        let call = ProviderCall(
            .GET, url: ProviderURL.url(connector.apiBaseURL, path, ids: ids, query: query),
            headers: try headers(connector), isIdempotent: true)
        return (try await transport.send(call, timeout: connector.timeout), call)
    }

    private func answer(_ response: HTTPClientResponse, call: ProviderCall, connector: ProviderConnector)
        throws(ProviderError) -> PayoutAnswer
    {
        guard response.status.isSuccess else {
            throw StripeTransferErrorMapping.error(response, secrets: connector.secrets())
        }
        return PayoutAnswer(try ProviderResponse.json(response, provider: .stripe, call: call), provider: .stripe, call: call)
    }

    private func headers(_ connector: ProviderConnector) throws(ProviderError) -> HTTPHeaders {
        guard let secretKey = connector.credentials["secret_key"], !secretKey.isEmpty else {
            throw ProviderError.missingCredential("secret_key", provider: .stripe)
        }
        return ["Authorization": "Bearer \(secretKey)", "Stripe-Version": Self.apiVersion, "Accept": "application/json"]
    }
}
