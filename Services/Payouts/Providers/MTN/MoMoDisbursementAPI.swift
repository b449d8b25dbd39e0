import Contracts
import HTTP
import ProviderKit
import Shared

/// Calls to a MoMo-shaped disbursement API. A 401 lets the authorization renew what it can (a cached
/// token) and the call is repeated once; the refused call did nothing.
struct MoMoDisbursementAPI: Sendable {
    let provider: ProviderName
    let transport: ProviderTransport
    let authorization: any MoMoAuthorization

    /// One exchange: the answer whatever its status (callers decide what 202, 404 or 409 mean).
    struct Exchange {
        let provider: ProviderName
        let response: HTTPClientResponse
        let call: ProviderCall
        let secrets: [String: String]

        func answer() throws(ProviderError) -> PayoutAnswer {
            guard response.status.isSuccess else { throw error() }
            return PayoutAnswer(
                try ProviderResponse.json(response, provider: provider, call: call), provider: provider, call: call)
        }

        func error() -> ProviderError { MoMoErrorMapping.error(response, provider: provider, secrets: secrets) }
    }

    func exchange(
        _ method: HTTPMethod, _ path: String, ids: [String] = [], body: JSONValue? = nil,
        headers extra: HTTPHeaders = [:],
        role: ProviderCall.Role = .operation, isIdempotent: Bool, secrets: [String: String] = [:],
        connector: ProviderConnector
    ) async throws(ProviderError) -> Exchange {
        let url = ProviderURL.url(connector.apiBaseURL, path, ids: ids)
        var retried = false
        while true {
            var (headers, authSecrets) = try await authorization.headers(connector)
            headers.add("Accept", "application/json")
            if body != nil { headers.add("Content-Type", "application/json") }
            for (name, value) in extra { headers.add(name, value) }
            let call = ProviderCall(
                method, url: url, headers: headers, body: body?.serialized() ?? [], role: role,
                isIdempotent: isIdempotent)
            let response = try await transport.send(call, timeout: connector.timeout)
            if response.status.code == 401, !retried, authorization.refused(headers, connector: connector) {
                retried = true
                continue
            }
            let allSecrets = connector.secrets(secrets.merging(authSecrets) { current, _ in current })
            return Exchange(provider: provider, response: response, call: call, secrets: allSecrets)
        }
    }
}
