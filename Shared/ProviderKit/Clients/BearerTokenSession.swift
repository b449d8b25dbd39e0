import Contracts
import HTTP
import Shared

/// Calls behind an OAuth client-credentials bearer token (PayPal, Airtel Money): the token is cached
/// per connector and credential (`ProviderTokenCache`, one fetch at a time), and a 401 — a token
/// revoked or expired early — is answered by one fresh token and one more try (the refused call did
/// nothing).
public struct BearerTokenSession: Sendable {
    public let transport: ProviderTransport
    public let tokens: ProviderTokenCache

    public init(transport: ProviderTransport, tokens: ProviderTokenCache) {
        self.transport = transport
        self.tokens = tokens
    }

    /// Sends the call `make` builds around a token; the exchange's secrets include the token.
    public func send(
        cacheKey: String, connector: ProviderConnector, secrets extra: [String: String] = [:],
        fetch: @escaping ProviderTokenCache.Fetch, _ make: (_ token: String) throws(ProviderError) -> ProviderCall
    ) async throws(ProviderError) -> ProviderExchange {
        var token = try await tokens.token(for: cacheKey, fetch: fetch)
        var refreshed = false
        while true {
            let call = try make(token.value)
            let response = try await transport.send(call, timeout: connector.timeout)
            if response.status.code == 401, !refreshed {
                tokens.invalidate(cacheKey, value: token.value)
                token = try await tokens.token(for: cacheKey, fetch: fetch)
                refreshed = true
                continue
            }
            let secrets = connector.secrets(extra.merging(["access_token": token.value]) { current, _ in current })
            return ProviderExchange(response: response, call: call, secrets: secrets)
        }
    }

    /// Sends a token request — a lookup: if it fails, the operation it was for has not been sent, and
    /// repeating it is harmless — and reads `access_token` and `expires_in` (a number, or a string as
    /// Airtel has sent it). Without a lifetime the token serves this call only. A refusal is an OAuth
    /// error (`{"error","error_description"}`), mapped by status.
    public static func fetchToken(
        _ call: ProviderCall, provider: ProviderName, connector: ProviderConnector,
        transport: ProviderTransport
    ) async -> Result<ProviderAccessToken, ProviderError> {
        do throws(ProviderError) {
            let response = try await transport.send(call, timeout: connector.timeout)
            guard response.status.isSuccess else {
                return .failure(tokenRefusal(response, provider: provider, connector: connector))
            }
            let json = try ProviderResponse.json(response, provider: provider, call: call)
            guard let value = json["access_token"]?.stringValue, !value.isEmpty else {
                return .failure(
                    .unexpectedResponse(provider: provider, call: call, "a token answer without access_token"))
            }
            let lifetime = json["expires_in"]?.int64Value ?? json["expires_in"]?.stringValue.flatMap { Int64($0) } ?? 0
            return .success(ProviderAccessToken(value: value, expiresIn: .seconds(max(0, lifetime))))
        } catch {
            return .failure(error)
        }
    }

    static func tokenRefusal(_ response: HTTPClientResponse, provider: ProviderName, connector: ProviderConnector)
        -> ProviderError
    {
        let status = response.status.code
        let body = ProviderResponse.errorJSON(response)
        let code = body?["error"]?.stringValue ?? body?["name"]?.stringValue
        let text = body?["error_description"]?.stringValue ?? body?["message"]?.stringValue
        let message = ProviderResponse.safeMessage(
            text, credentials: connector.secrets(),
            fallback: "\(provider.rawValue) refused the token request (\(status)).")
        return ProviderError(kind: ProviderResponse.kind(forStatus: status), code: code, message: message)
    }
}
