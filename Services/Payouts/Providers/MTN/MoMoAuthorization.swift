import HTTP
import ProviderKit

/// How a MoMo-shaped disbursement API is authorized: MTN with a token from its token endpoint (plus the
/// subscription key and target environment), Zamtel — assumed — with a static key.
protocol MoMoAuthorization: Sendable {
    /// The headers every API call carries, and the secrets among them (kept out of error messages).
    func headers(_ connector: ProviderConnector) async throws(ProviderError) -> (HTTPHeaders, secrets: [String: String])
    /// The API refused `headers` (401): forget what can be renewed. True when a second try could succeed.
    func refused(_ headers: HTTPHeaders, connector: ProviderConnector) -> Bool
}
