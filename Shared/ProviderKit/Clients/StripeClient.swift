import Contracts
import HTTP
import Shared

/// Stripe's API, for payment intents and refunds (payments) and transfers (payouts): the connector's
/// `secret_key` as Bearer, one pinned API version so both read Stripe's objects the same way, form
/// bodies (`FormBody`), JSON answers. POSTs carry `Idempotency-Key`, which Stripe honours for 24 hours.
public struct StripeClient: Sendable {
    /// The API version every call pins.
    public static let apiVersion = "2024-06-20"

    let transport: ProviderTransport

    public init(transport: ProviderTransport) {
        self.transport = transport
    }

    public func exchange(
        _ method: HTTPMethod, _ path: String, ids: [String] = [], query: [(String, String)] = [], form: FormBody? = nil,
        idempotencyKey: String? = nil, role: ProviderCall.Role = .operation, connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderExchange {
        let secretKey = try connector.requiredCredential("secret_key")
        var headers: HTTPHeaders = [
            "Authorization": "Bearer \(secretKey)", "Stripe-Version": Self.apiVersion, "Accept": "application/json",
        ]
        if form != nil { headers.add("Content-Type", "application/x-www-form-urlencoded") }
        if let idempotencyKey { headers.add("Idempotency-Key", try ProviderIdentifiers.requireKey(idempotencyKey)) }
        let call = ProviderCall(
            method, url: ProviderURL.url(connector.apiBaseURL, path, ids: ids, query: query), headers: headers,
            body: form?.encoded ?? [], role: role, isIdempotent: method == .GET || idempotencyKey != nil)
        let response = try await transport.send(call, timeout: connector.timeout)
        return ProviderExchange(response: response, call: call, secrets: connector.secrets())
    }

    /// Stripe's error object (`{"error":{"type","code","decline_code","message","param"}}`), its message
    /// made safe to keep.
    public struct ErrorObject: Sendable {
        public let type: String?
        public let code: String?
        public let declineCode: String?
        public let message: String

        public init(_ exchange: ProviderExchange) {
            let body = ProviderResponse.errorJSON(exchange.response)?["error"]
            type = body?["type"]?.stringValue
            code = body?["code"]?.stringValue
            declineCode = body?["decline_code"]?.stringValue
            message = ProviderResponse.safeMessage(
                body?["message"]?.stringValue, credentials: exchange.secrets,
                fallback: "Stripe answered \(exchange.status).")
        }
    }
}
