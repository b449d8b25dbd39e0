import Contracts
import Shared

/// A tenant's connector as an adapter needs it: where to call and with which credentials (opened).
public struct ProviderConnector: Sendable {
    public let connectorID: String
    public let provider: ProviderName
    public let livemode: Bool
    /// Base URL for API calls, without trailing slash (the sandbox in development, the provider's host otherwise).
    public let apiBaseURL: String
    /// Provider API credentials by name: Stripe `secret_key`; Razorpay `key_id`, `key_secret`;
    /// PayPal `client_id`, `client_secret`.
    public let credentials: [String: String]
    public let timeout: Duration

    public init(
        connectorID: String, provider: ProviderName, livemode: Bool, apiBaseURL: String, credentials: [String: String],
        timeout: Duration
    ) {
        self.connectorID = connectorID
        self.provider = provider
        self.livemode = livemode
        self.apiBaseURL = apiBaseURL
        self.credentials = credentials
        self.timeout = timeout
    }
}
