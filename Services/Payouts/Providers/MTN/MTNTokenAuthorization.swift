import HTTP
import ProviderKit
import Shared

/// MTN MoMo's disbursement authorization: a bearer token from `POST /disbursement/token/` (HTTP Basic
/// `api_user:api_key` plus the product's `Ocp-Apim-Subscription-Key`), cached until shortly before it
/// expires; every call also carries the subscription key and `X-Target-Environment` (`sandbox`, or the
/// market's name such as `mtnzambia` in production).
struct MTNTokenAuthorization: MoMoAuthorization {
    let transport: ProviderTransport
    let tokens: ProviderTokenCache

    func headers(_ connector: ProviderConnector) async throws(ProviderError) -> (HTTPHeaders, secrets: [String: String])
    {
        let credentials = try Credentials(connector)
        let token = try await token(credentials, connector: connector)
        let headers: HTTPHeaders = [
            "Authorization": "Bearer \(token.value)", "X-Target-Environment": credentials.targetEnvironment,
            "Ocp-Apim-Subscription-Key": credentials.subscriptionKey,
        ]
        return (headers, ["access_token": token.value])
    }

    func refused(_ headers: HTTPHeaders, connector: ProviderConnector) -> Bool {
        guard let credentials = try? Credentials(connector), let bearer = headers["Authorization"],
            bearer.hasPrefix("Bearer ")
        else {
            return false
        }
        tokens.invalidate(credentials.cacheKey, value: String(bearer.dropFirst(7)))
        return true
    }

    private func token(_ credentials: Credentials, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderAccessToken
    {
        let transport = transport
        return try await tokens.token(for: credentials.cacheKey) {
            await Self.fetchToken(credentials, connector: connector, transport: transport)
        }
    }

    /// A lookup: if it fails, the transfer it was for has not been sent.
    private static func fetchToken(
        _ credentials: Credentials, connector: ProviderConnector, transport: ProviderTransport
    )
        async -> Result<ProviderAccessToken, ProviderError>
    {
        let basic = Base64.encode(Array("\(credentials.apiUser):\(credentials.apiKey)".utf8))
        let call = ProviderCall(
            .POST, url: ProviderURL.url(connector.apiBaseURL, "/disbursement/token/"),
            headers: [
                "Authorization": "Basic \(basic)", "Ocp-Apim-Subscription-Key": credentials.subscriptionKey,
                "Accept": "application/json",
            ],
            role: .lookup, isIdempotent: true)
        return await BearerTokenSession.fetchToken(call, provider: .mtn, connector: connector, transport: transport)
    }

    struct Credentials: Sendable {
        let subscriptionKey: String
        let apiUser: String
        let apiKey: String
        let targetEnvironment: String
        /// One token per connector, base URL and API user.
        let cacheKey: String

        init(_ connector: ProviderConnector) throws(ProviderError) {
            func required(_ name: String) throws(ProviderError) -> String {
                guard let value = connector.credentials[name], !value.isEmpty else {
                    throw ProviderError.missingCredential(name, provider: .mtn)
                }
                return value
            }
            subscriptionKey = try required("subscription_key")
            apiUser = try required("api_user")
            apiKey = try required("api_key")
            // MTN's sandbox is the only environment a test connector can mean; live needs the market named.
            if let environment = connector.credentials["target_environment"], !environment.isEmpty {
                targetEnvironment = environment
            } else if !connector.livemode {
                targetEnvironment = "sandbox"
            } else {
                throw ProviderError.missingCredential("target_environment", provider: .mtn)
            }
            cacheKey = "\(connector.connectorID)|\(connector.apiBaseURL)|\(apiUser)"
        }
    }
}
