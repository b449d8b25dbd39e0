import HTTP
import ProviderKit
import Shared

/// Calls to PayPal's REST API with an OAuth access token (client credentials), cached per connector.
///
/// A 401 means the token was revoked or expired early: the call is repeated once with a fresh token
/// (the refused call did nothing). Money-moving POSTs carry `PayPal-Request-Id`, PayPal's idempotency
/// key, and ask for the full representation so the answer says what was captured or refunded.
struct PayPalAPI: Sendable {
    let transport: ProviderTransport
    let tokens: ProviderTokenCache

    /// A JSON answer, or nil for an empty one (a void answers 204).
    func call(
        _ method: HTTPMethod, _ path: String, ids: [String] = [], body: JSONValue? = nil, requestID: String? = nil,
        role: ProviderCall.Role = .operation, connector: ProviderConnector
    ) async throws(ProviderError)
        -> (JSONValue?, ProviderCall)
    {
        let credentials = try Credentials(connector)
        let url = ProviderURL.url(connector.apiBaseURL, path, ids: ids)
        var token = try await accessToken(credentials, connector: connector)
        var refreshed = false
        while true {
            var headers: HTTPHeaders = ["Authorization": "Bearer \(token.value)", "Accept": "application/json"]
            if body != nil {
                headers.add("Content-Type", "application/json")
                headers.add("Prefer", "return=representation")
            }
            if let requestID { headers.add("PayPal-Request-Id", try ProviderIdentifiers.requireKey(requestID)) }
            let call = ProviderCall(
                method, url: url, headers: headers, body: body?.serialized() ?? [], role: role,
                isIdempotent: method == .GET || requestID != nil)
            let response = try await transport.send(call, timeout: connector.timeout)
            if response.status.code == 401, !refreshed {
                tokens.invalidate(credentials.cacheKey, value: token.value)
                token = try await accessToken(credentials, connector: connector)
                refreshed = true
                continue
            }
            guard response.status.isSuccess else {
                throw PayPalErrorMapping.error(response, secrets: credentials.secrets(with: token))
            }
            if response.body.isEmpty { return (nil, call) }
            return (try ProviderResponse.json(response, provider: .paypal, call: call), call)
        }
    }

    private func accessToken(_ credentials: Credentials, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderAccessToken
    {
        let transport = transport
        return try await tokens.token(for: credentials.cacheKey) {
            await Self.fetchToken(credentials, connector: connector, transport: transport)
        }
    }

    /// `POST /v1/oauth2/token` with HTTP Basic and `grant_type=client_credentials`. A lookup: if it
    /// fails, the operation it was for has not been sent. Repeating it is harmless (another token).
    private static func fetchToken(
        _ credentials: Credentials, connector: ProviderConnector,
        transport: ProviderTransport
    ) async -> Result<ProviderAccessToken, ProviderError> {
        let basic = Base64.encode(Array("\(credentials.clientID):\(credentials.clientSecret)".utf8))
        let call = ProviderCall(
            .POST, url: ProviderURL.url(connector.apiBaseURL, "/v1/oauth2/token"),
            headers: [
                "Authorization": "Basic \(basic)", "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            ],
            body: Array("grant_type=client_credentials".utf8), role: .lookup, isIdempotent: true)
        do throws(ProviderError) {
            let response = try await transport.send(call, timeout: connector.timeout)
            guard response.status.isSuccess else {
                return .failure(PayPalErrorMapping.error(response, secrets: credentials.secrets(with: nil)))
            }
            let json = try ProviderResponse.json(response, provider: .paypal, call: call)
            guard let value = json["access_token"]?.stringValue, !value.isEmpty else {
                return .failure(
                    .unexpectedResponse(provider: .paypal, call: call, "a token answer without access_token"))
            }
            // Without a lifetime the token is used for this call only.
            let seconds = max(0, json["expires_in"]?.int64Value ?? 0)
            return .success(ProviderAccessToken(value: value, expiresIn: .seconds(seconds)))
        } catch {
            return .failure(error)
        }
    }

    /// The connector's client credentials.
    struct Credentials: Sendable {
        let clientID: String
        let clientSecret: String
        /// One token per connector, base URL and client id (a new client id is a new token).
        let cacheKey: String

        init(_ connector: ProviderConnector) throws(ProviderError) {
            guard let clientID = connector.credentials["client_id"], !clientID.isEmpty else {
                throw ProviderError.missingCredential("client_id", provider: .paypal)
            }
            guard let clientSecret = connector.credentials["client_secret"], !clientSecret.isEmpty else {
                throw ProviderError.missingCredential("client_secret", provider: .paypal)
            }
            self.clientID = clientID
            self.clientSecret = clientSecret
            cacheKey = "\(connector.connectorID)|\(connector.apiBaseURL)|\(clientID)"
        }

        /// What must never appear in an error message.
        func secrets(with token: ProviderAccessToken?) -> [String: String] {
            var secrets = ["client_secret": clientSecret]
            if let token { secrets["access_token"] = token.value }
            return secrets
        }
    }
}
