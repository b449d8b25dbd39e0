import Contracts
import HTTP
import Shared

/// Airtel Money's Open API (disbursements now; collections use the same token): a bearer token from
/// `POST /auth/oauth2/token` (client credentials in a JSON body), cached until shortly before it
/// expires and renewed once on a 401, and the connector's market (`X-Country`) and currency
/// (`X-Currency`) on every call.
public struct AirtelClient: Sendable {
    let session: BearerTokenSession

    public init(transport: ProviderTransport, tokens: ProviderTokenCache) {
        session = BearerTokenSession(transport: transport, tokens: tokens)
    }

    public func exchange(
        _ method: HTTPMethod, _ path: String, ids: [String] = [], body: JSONValue? = nil,
        role: ProviderCall.Role = .operation,
        isIdempotent: Bool, secrets: [String: String] = [:], connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderExchange {
        let credentials = try Credentials(connector)
        let url = ProviderURL.url(connector.apiBaseURL, path, ids: ids)
        let transport = session.transport
        return try await session.send(
            cacheKey: credentials.cacheKey, connector: connector, secrets: secrets,
            fetch: { await Self.fetchToken(credentials, connector: connector, transport: transport) }
        ) { token in
            var headers: HTTPHeaders = [
                "Authorization": "Bearer \(token)", "X-Country": credentials.country,
                "X-Currency": credentials.currency.code,
                "Accept": "application/json",
            ]
            if body != nil { headers.add("Content-Type", "application/json") }
            return ProviderCall(
                method, url: url, headers: headers, body: body?.serialized() ?? [], role: role,
                isIdempotent: isIdempotent)
        }
    }

    private static func fetchToken(
        _ credentials: Credentials, connector: ProviderConnector, transport: ProviderTransport
    ) async
        -> Result<ProviderAccessToken, ProviderError>
    {
        let body: JSONValue = [
            "client_id": .string(credentials.clientID), "client_secret": .string(credentials.clientSecret),
            "grant_type": "client_credentials",
        ]
        let call = ProviderCall(
            .POST, url: ProviderURL.url(connector.apiBaseURL, "/auth/oauth2/token"),
            headers: ["Content-Type": "application/json", "Accept": "application/json"], body: body.serialized(),
            role: .lookup,
            isIdempotent: true)
        return await BearerTokenSession.fetchToken(call, provider: .airtel, connector: connector, transport: transport)
    }

    /// The connector's credentials: client id and secret, the market (`country`, ISO 3166 alpha-2) and
    /// its currency, and the disbursement wallet's PIN as Airtel asks for it (`encrypted_pin`: the PIN
    /// RSA-encrypted with Airtel's public key and base64-encoded, as Airtel's portal produces it).
    public struct Credentials: Sendable {
        public let clientID: String
        public let clientSecret: String
        public let country: String
        public let currency: Currency
        public let encryptedPIN: String?
        /// One token per connector, base URL and client id.
        let cacheKey: String

        public init(_ connector: ProviderConnector) throws(ProviderError) {
            clientID = try connector.requiredCredential("client_id")
            clientSecret = try connector.requiredCredential("client_secret")
            country = try connector.requiredCredential("country").uppercased()
            guard let currency = Currency(code: try connector.requiredCredential("currency")) else {
                throw ProviderError(
                    kind: .authentication, code: "invalid_credentials",
                    message: "The Airtel Money connector's currency is not an ISO 4217 code.")
            }
            self.currency = currency
            encryptedPIN = connector.credentials["encrypted_pin"].flatMap { $0.isEmpty ? nil : $0 }
            cacheKey = "\(connector.connectorID)|\(connector.apiBaseURL)|\(clientID)"
        }
    }
}
