import HTTP
import ProviderKit
import Shared

/// Calls to Razorpay's REST API: HTTP Basic with `key_id:key_secret`, JSON both ways.
///
/// Razorpay takes no idempotency key on these endpoints, so its POSTs are marked not idempotent; the
/// adapter de-duplicates by looking up what a previous attempt may have created (see `RazorpayAdapter`).
struct RazorpayAPI: Sendable {
    let transport: ProviderTransport

    func get(
        _ path: String, ids: [String] = [], query: [(String, String)] = [], role: ProviderCall.Role,
        connector: ProviderConnector
    ) async throws(ProviderError) -> (JSONValue, ProviderCall) {
        let call = ProviderCall(
            .GET, url: ProviderURL.url(connector.apiBaseURL, path, ids: ids, query: query),
            headers: try headers(connector), role: role, isIdempotent: true)
        return (try await send(call, connector: connector), call)
    }

    func post(_ path: String, ids: [String] = [], body: JSONValue, connector: ProviderConnector)
        async throws(ProviderError) -> (JSONValue, ProviderCall)
    {
        var headers = try headers(connector)
        headers.add("Content-Type", "application/json")
        let call = ProviderCall(
            .POST, url: ProviderURL.url(connector.apiBaseURL, path, ids: ids), headers: headers,
            body: body.serialized(), isIdempotent: false)
        return (try await send(call, connector: connector), call)
    }

    private func send(_ call: ProviderCall, connector: ProviderConnector) async throws(ProviderError) -> JSONValue {
        let response = try await transport.send(call, timeout: connector.timeout)
        guard response.status.isSuccess else {
            throw RazorpayErrorMapping.error(response, credentials: connector.credentials)
        }
        return try ProviderResponse.json(response, provider: .razorpay, call: call)
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
