import HTTP
import ProviderKit
import Shared

/// Calls to Airtel Money's Open API: a bearer token from `POST /auth/oauth2/token` (client credentials
/// in a JSON body), cached until shortly before it expires and renewed once on a 401, and the
/// connector's `X-Country` and `X-Currency` on every call.
struct AirtelDisbursementAPI: Sendable {
    let transport: ProviderTransport
    let tokens: ProviderTokenCache

    /// One exchange: the answer whatever its status, the call, and what errors must not contain.
    struct Exchange {
        let response: HTTPClientResponse
        let call: ProviderCall
        let secrets: [String: String]

        func answer() throws(ProviderError) -> PayoutAnswer {
            guard response.status.isSuccess else { throw AirtelErrorMapping.error(response, secrets: secrets) }
            return PayoutAnswer(
                try ProviderResponse.json(response, provider: .airtel, call: call), provider: .airtel, call: call)
        }
    }

    func exchange(
        _ method: HTTPMethod, _ path: String, ids: [String] = [], body: JSONValue? = nil, role: ProviderCall.Role = .operation,
        isIdempotent: Bool, secrets extra: [String: String] = [:], connector: ProviderConnector
    ) async throws(ProviderError) -> Exchange {
        let credentials = try Credentials(connector)
        let url = ProviderURL.url(connector.apiBaseURL, path, ids: ids)
        var token = try await accessToken(credentials, connector: connector)
        var refreshed = false
        while true {
            var headers: HTTPHeaders = [
                "Authorization": "Bearer \(token.value)", "X-Country": credentials.country,
                "X-Currency": credentials.currency.code, "Accept": "application/json",
            ]
            if body != nil { headers.add("Content-Type", "application/json") }
            let call = ProviderCall(
                method, url: url, headers: headers, body: body?.serialized() ?? [], role: role, isIdempotent: isIdempotent)
            let response = try await transport.send(call, timeout: connector.timeout)
            if response.status.code == 401, !refreshed {
                tokens.invalidate(credentials.cacheKey, value: token.value)
                token = try await accessToken(credentials, connector: connector)
                refreshed = true
                continue
            }
            let secrets = connector.secrets(extra.merging(["access_token": token.value]) { current, _ in current })
            return Exchange(response: response, call: call, secrets: secrets)
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

    /// A lookup: if it fails, the disbursement it was for has not been sent. Airtel has sent
    /// `expires_in` both as a number and as a string; either is read.
    private static func fetchToken(_ credentials: Credentials, connector: ProviderConnector, transport: ProviderTransport)
        async -> Result<ProviderAccessToken, ProviderError>
    {
        let body: JSONValue = [
            "client_id": .string(credentials.clientID), "client_secret": .string(credentials.clientSecret),
            "grant_type": "client_credentials",
        ]
        let call = ProviderCall(
            .POST, url: ProviderURL.url(connector.apiBaseURL, "/auth/oauth2/token"),
            headers: ["Content-Type": "application/json", "Accept": "application/json"], body: body.serialized(),
            role: .lookup, isIdempotent: true)
        do throws(ProviderError) {
            let response = try await transport.send(call, timeout: connector.timeout)
            guard response.status.isSuccess else {
                return .failure(AirtelErrorMapping.error(response, secrets: connector.secrets()))
            }
            let json = try ProviderResponse.json(response, provider: .airtel, call: call)
            guard let value = json["access_token"]?.stringValue, !value.isEmpty else {
                return .failure(.unexpectedResponse(provider: .airtel, call: call, "a token answer without access_token"))
            }
            let lifetime = json["expires_in"]?.int64Value ?? json["expires_in"]?.stringValue.flatMap { Int64($0) } ?? 0
            return .success(ProviderAccessToken(value: value, expiresIn: .seconds(max(0, lifetime))))
        } catch {
            return .failure(error)
        }
    }

    /// The connector's credentials: client id and secret, the market (`country`, ISO 3166 alpha-2) and
    /// its currency, and the disbursement wallet's PIN as Airtel asks for it (`encrypted_pin`: the PIN
    /// RSA-encrypted with Airtel's public key and base64-encoded, as Airtel's portal produces it).
    struct Credentials: Sendable {
        let clientID: String
        let clientSecret: String
        let country: String
        let currency: Currency
        let encryptedPIN: String?
        /// One token per connector, base URL and client id.
        let cacheKey: String

        init(_ connector: ProviderConnector) throws(ProviderError) {
            func required(_ name: String) throws(ProviderError) -> String {
                guard let value = connector.credentials[name], !value.isEmpty else {
                    throw ProviderError.missingCredential(name, provider: .airtel)
                }
                return value
            }
            clientID = try required("client_id")
            clientSecret = try required("client_secret")
            country = try required("country").uppercased()
            guard let currency = Currency(code: try required("currency")) else {
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
