import Contracts
import HTTP
import Shared

/// Sends adapter calls through Coffer's HTTP client and turns failures without an answer into
/// `ProviderError`s. What an answer's status means is each provider's own mapping.
public struct ProviderTransport: Sendable {
    public let provider: ProviderName
    public let httpClient: any HTTPClient

    public init(provider: ProviderName, httpClient: any HTTPClient) {
        self.provider = provider
        self.httpClient = httpClient
    }

    public func send(_ call: ProviderCall, timeout: Duration) async throws(ProviderError) -> HTTPClientResponse {
        do {
            return try await httpClient.send(call.request(timeout: timeout))
        } catch let error as HTTPClientError {
            throw ProviderError.transport(error, provider: provider, call: call)
        } catch {
            // Cancellation or an unknown client failure: whether the request left is unknown.
            throw ProviderError.noAnswer(provider: provider, call: call, code: "client_error")
        }
    }
}

extension ProviderError {
    /// A failure without an HTTP answer. A client timeout is `.timeout` for the operation call (it may
    /// have taken effect) and `.unavailable` for a lookup (nothing was sent that could); a connection
    /// that closed after the request was written may have taken effect for a state-changing call, so
    /// that too is reported as `.timeout` (no answer in time) rather than `.unavailable`, which would
    /// let the gateway fail over and charge twice.
    public static func transport(_ error: HTTPClientError, provider: ProviderName, call: ProviderCall) -> ProviderError
    {
        let name = ProviderDisplayName.of(provider)
        switch error.kind {
        case .timeout:
            return ProviderError(
                kind: call.role == .operation ? .timeout : .unavailable, code: "timeout",
                message: "\(name) did not answer in time.")
        case .connectFailed, .invalidURL, .shutdown:
            return ProviderError(
                kind: .unavailable, code: error.kind.rawValue, message: "\(name) could not be reached.")
        case .addressRefused:
            // Nothing was sent: the connector points where Coffer never calls.
            return ProviderError(
                kind: .invalidRequest, code: "address_refused",
                message: "The connector's API address is not one Coffer may call.")
        case .connectionClosed, .invalidResponse, .responseTooLarge:
            return noAnswer(provider: provider, call: call, code: error.kind.rawValue)
        }
    }

    /// The request may have reached the provider but no usable answer came back.
    public static func noAnswer(provider: ProviderName, call: ProviderCall, code: String) -> ProviderError {
        ProviderError(
            kind: call.mayTakeEffect ? .timeout : .unavailable, code: code,
            message: "\(ProviderDisplayName.of(provider)) gave no usable answer.")
    }

    /// A successful answer Coffer cannot read (malformed JSON, a missing field, an unknown status).
    /// `what` names the field or problem, never a value. After a state-changing call the provider did
    /// act, so the result is unknown rather than absent: reported as `.timeout` (may have taken effect).
    public static func unexpectedResponse(provider: ProviderName, call: ProviderCall, _ what: String) -> ProviderError {
        ProviderError(
            kind: call.mayTakeEffect ? .timeout : .unavailable, code: "unexpected_response",
            message: "\(ProviderDisplayName.of(provider)) answered in an unexpected shape: \(what).")
    }

    /// Refused before any call: the request cannot be expressed to this provider.
    public static func invalid(_ code: String, _ message: String) -> ProviderError {
        ProviderError(kind: .invalidRequest, code: code, message: message)
    }

    /// The connector lacks a credential the adapter needs.
    public static func missingCredential(_ name: String, provider: ProviderName) -> ProviderError {
        ProviderError(
            kind: .authentication, code: "missing_credentials",
            message: "The \(ProviderDisplayName.of(provider)) connector has no \(name).")
    }
}

/// How providers are named in messages.
public enum ProviderDisplayName {
    public static func of(_ provider: ProviderName) -> String {
        switch provider {
        case .stripe: "Stripe"
        case .razorpay: "Razorpay"
        case .paypal: "PayPal"
        case .mtn: "MTN MoMo"
        case .airtel: "Airtel Money"
        case .zamtel: "Zamtel"
        case .phonepe: "PhonePe"
        default: provider.rawValue
        }
    }
}
