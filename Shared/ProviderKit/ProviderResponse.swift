import Contracts
import Foundation
import HTTP
import Shared

/// Reading provider answers: JSON bodies, and the status-independent parts of error mapping.
public enum ProviderResponse {
    /// The body of a successful answer as JSON; a body that is not JSON is an unexpected response.
    public static func json(_ response: HTTPClientResponse, provider: ProviderName, call: ProviderCall)
        throws(ProviderError)
        -> JSONValue
    {
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw ProviderError.unexpectedResponse(provider: provider, call: call, "the body is not JSON")
        }
    }

    /// The body of an error answer as JSON, or nil (gateways and proxies answer in HTML).
    public static func errorJSON(_ response: HTTPClientResponse) -> JSONValue? {
        try? JSONValue.parse(response.body)
    }

    /// The kind an HTTP error status means when the provider says nothing more specific.
    public static func kind(forStatus status: Int) -> ProviderError.Kind {
        switch status {
        case 401, 403: .authentication
        case 429: .rateLimited
        case 408, 500...599: .unavailable
        default: .invalidRequest
        }
    }

    /// A provider's message made safe to keep: credentials it might echo are removed and its length
    /// is bounded (the message ends up in logs and in Coffer's own error responses).
    public static func safeMessage(_ text: String?, credentials: [String: String], fallback: String) -> String {
        guard var message = text, !message.isEmpty else { return fallback }
        for value in credentials.values where value.count >= 4 {
            message = message.replacingOccurrences(of: value, with: "[REDACTED]")
        }
        if message.count > 500 { message = String(message.prefix(500)) + "…" }
        return message
    }
}
