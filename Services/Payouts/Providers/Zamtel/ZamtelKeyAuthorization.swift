import HTTP
import ProviderKit

/// ASSUMED, not documented: Zamtel publishes no API reference Coffer could find. The connector holds an
/// `api_key` and a `shortcode` (the disbursing merchant account); this sends the key as a bearer token
/// and the shortcode as `X-Shortcode` on every call. There is no token to renew, so a 401 is final.
struct ZamtelKeyAuthorization: MoMoAuthorization {
    func headers(_ connector: ProviderConnector) async throws(ProviderError) -> (HTTPHeaders, secrets: [String: String])
    {
        guard let apiKey = connector.credentials["api_key"], !apiKey.isEmpty else {
            throw ProviderError.missingCredential("api_key", provider: .zamtel)
        }
        guard let shortcode = connector.credentials["shortcode"], !shortcode.isEmpty else {
            throw ProviderError.missingCredential("shortcode", provider: .zamtel)
        }
        return (["Authorization": "Bearer \(apiKey)", "X-Shortcode": shortcode], [:])
    }

    func refused(_ headers: HTTPHeaders, connector: ProviderConnector) -> Bool { false }
}
