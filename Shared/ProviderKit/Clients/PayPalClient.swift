import Contracts
import HTTP
import Shared

/// PayPal's REST API, for the payments adapter (orders, captures, refunds) and the payouts adapter
/// (Payouts batches): an OAuth access token from `POST /v1/oauth2/token` (HTTP Basic with the
/// connector's `client_id:client_secret`, `grant_type=client_credentials`), cached per connector and
/// renewed once on a 401; JSON both ways. Money-moving POSTs carry `PayPal-Request-Id`, PayPal's
/// idempotency key, which makes repeating them harmless.
public struct PayPalClient: Sendable {
    let session: BearerTokenSession

    public init(transport: ProviderTransport, tokens: ProviderTokenCache) {
        session = BearerTokenSession(transport: transport, tokens: tokens)
    }

    /// One exchange. `representation` asks for the full object in the answer (`Prefer:
    /// return=representation`), so a capture or refund says what it did.
    public func exchange(
        _ method: HTTPMethod, _ path: String, ids: [String] = [], query: [(String, String)] = [],
        body: JSONValue? = nil,
        requestID: String? = nil, representation: Bool = false, role: ProviderCall.Role = .operation,
        secrets: [String: String] = [:], connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderExchange {
        let credentials = try Credentials(connector)
        let url = ProviderURL.url(connector.apiBaseURL, path, ids: ids, query: query)
        let transport = session.transport
        return try await session.send(
            cacheKey: credentials.cacheKey, connector: connector, secrets: secrets,
            fetch: { await Self.fetchToken(credentials, connector: connector, transport: transport) }
        ) {
            token throws(ProviderError) in
            var headers: HTTPHeaders = ["Authorization": "Bearer \(token)", "Accept": "application/json"]
            if body != nil {
                headers.add("Content-Type", "application/json")
                if representation { headers.add("Prefer", "return=representation") }
            }
            if let requestID { headers.add("PayPal-Request-Id", try ProviderIdentifiers.requireKey(requestID)) }
            return ProviderCall(
                method, url: url, headers: headers, body: body?.serialized() ?? [], role: role,
                isIdempotent: method == .GET || requestID != nil)
        }
    }

    private static func fetchToken(
        _ credentials: Credentials, connector: ProviderConnector, transport: ProviderTransport
    ) async
        -> Result<ProviderAccessToken, ProviderError>
    {
        let basic = Base64.encode(Array("\(credentials.clientID):\(credentials.clientSecret)".utf8))
        let call = ProviderCall(
            .POST, url: ProviderURL.url(connector.apiBaseURL, "/v1/oauth2/token"),
            headers: [
                "Authorization": "Basic \(basic)", "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            ],
            body: Array("grant_type=client_credentials".utf8), role: .lookup, isIdempotent: true)
        return await BearerTokenSession.fetchToken(call, provider: .paypal, connector: connector, transport: transport)
    }

    /// The connector's client credentials; one token per connector, base URL and client id (a new
    /// client id is a new token).
    struct Credentials: Sendable {
        let clientID: String
        let clientSecret: String
        let cacheKey: String

        init(_ connector: ProviderConnector) throws(ProviderError) {
            clientID = try connector.requiredCredential("client_id")
            clientSecret = try connector.requiredCredential("client_secret")
            cacheKey = "\(connector.connectorID)|\(connector.apiBaseURL)|\(clientID)"
        }
    }
}
