import Contracts
import HTTP
import Shared

/// One call to a provider and its answer whatever the status: callers decide what a 404 or a 400
/// means for their operation. `secrets` is everything an error message built from it must not carry
/// (credentials, tokens, the payee's identifiers).
public struct ProviderExchange: Sendable {
    public let response: HTTPClientResponse
    public let call: ProviderCall
    public let secrets: [String: String]

    public init(response: HTTPClientResponse, call: ProviderCall, secrets: [String: String]) {
        self.response = response
        self.call = call
        self.secrets = secrets
    }

    public var isSuccess: Bool { response.status.isSuccess }
    public var status: Int { response.status.code }

    /// The body of a successful answer as JSON; a body that is not JSON is an unexpected response.
    public func json(_ provider: ProviderName) throws(ProviderError) -> JSONValue {
        try ProviderResponse.json(response, provider: provider, call: call)
    }
}

extension ProviderConnector {
    /// The connector's credentials plus `extra` (tokens, the payee's identifiers): everything
    /// `ProviderResponse.safeMessage` must strip.
    public func secrets(_ extra: [String: String] = [:]) -> [String: String] {
        credentials.merging(extra) { current, _ in current }
    }

    /// A credential the connector must have; its absence is an authentication error naming it.
    public func requiredCredential(_ name: String) throws(ProviderError) -> String {
        guard let value = credentials[name], !value.isEmpty else {
            throw ProviderError.missingCredential(name, provider: provider)
        }
        return value
    }
}
