import Contracts
import HTTP
import Shared

/// Razorpay's API, for payments (orders, payments, refunds) and RazorpayX payouts: HTTP Basic with the
/// connector's `key_id:key_secret` (the same keys for both), JSON both ways.
public struct RazorpayClient: Sendable {
    let transport: ProviderTransport

    public init(transport: ProviderTransport) {
        self.transport = transport
    }

    /// One exchange. Razorpay's payment endpoints take no idempotency key (their POSTs are not
    /// idempotent; the payments adapter looks up what an earlier attempt created); RazorpayX payouts take
    /// `X-Payout-Idempotency`, which makes a repeat harmless.
    public func exchange(
        _ method: HTTPMethod, _ path: String, ids: [String] = [], query: [(String, String)] = [],
        body: JSONValue? = nil,
        payoutIdempotencyKey: String? = nil, role: ProviderCall.Role = .operation, secrets: [String: String] = [:],
        connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderExchange {
        let keyID = try connector.requiredCredential("key_id")
        let keySecret = try connector.requiredCredential("key_secret")
        var headers: HTTPHeaders = [
            "Authorization": "Basic \(Base64.encode(Array("\(keyID):\(keySecret)".utf8)))",
            "Accept": "application/json",
        ]
        if body != nil { headers.add("Content-Type", "application/json") }
        if let payoutIdempotencyKey { headers.add("X-Payout-Idempotency", payoutIdempotencyKey) }
        let call = ProviderCall(
            method, url: ProviderURL.url(connector.apiBaseURL, path, ids: ids, query: query), headers: headers,
            body: body?.serialized() ?? [], role: role, isIdempotent: method == .GET || payoutIdempotencyKey != nil)
        let response = try await transport.send(call, timeout: connector.timeout)
        return ProviderExchange(response: response, call: call, secrets: connector.secrets(secrets))
    }

    /// Razorpay's error answers (`{"error":{"code":"BAD_REQUEST_ERROR","description","source","reason","field"}}`)
    /// in Coffer's terms. The codes are coarse, so the HTTP status decides the kind; the description can
    /// echo what was sent (an account number), so it is redacted like a credential.
    public static func error(_ exchange: ProviderExchange, product: String = "Razorpay") -> ProviderError {
        let status = exchange.status
        let body = ProviderResponse.errorJSON(exchange.response)?["error"]
        let message = ProviderResponse.safeMessage(
            body?["description"]?.stringValue, credentials: exchange.secrets,
            fallback: "\(product) answered \(status).")
        return ProviderError(
            kind: ProviderResponse.kind(forStatus: status), code: body?["code"]?.stringValue, message: message)
    }
}
