import Foundation
import HTTP
import Shared

/// One provider's payments API (create, capture, cancel, refund, fetch status) in Coffer's terms.
/// Adapters only translate and call: retries, circuit breaking and failover live in `ProviderGateway`.
/// Every call that changes money carries an idempotency key where the provider accepts one, so a
/// retry after a crash or timeout never charges or refunds twice.
protocol PaymentProviderAdapter: Sendable {
    var provider: ProviderName { get }
    func createPayment(_ request: ProviderPaymentRequest, connector: ProviderConnector) async throws(ProviderError) -> ProviderPaymentState
    func capturePayment(_ providerPaymentID: String, amount: Money?, idempotencyKey: String,
                        connector: ProviderConnector) async throws(ProviderError) -> ProviderPaymentState
    func cancelPayment(_ providerPaymentID: String, idempotencyKey: String,
                       connector: ProviderConnector) async throws(ProviderError) -> ProviderPaymentState
    func refund(_ request: ProviderRefundRequest, connector: ProviderConnector) async throws(ProviderError) -> ProviderRefundState
    /// The provider's current view of a payment: confirms unsigned callbacks and resolves timeouts.
    func fetchPayment(_ providerPaymentID: String, connector: ProviderConnector) async throws(ProviderError) -> ProviderPaymentState
    func fetchRefund(_ providerRefundID: String, connector: ProviderConnector) async throws(ProviderError) -> ProviderRefundState
}

/// A tenant's connector as an adapter needs it: where to call and with which credentials (opened).
struct ProviderConnector: Sendable {
    let connectorID: String
    let provider: ProviderName
    let livemode: Bool
    /// Base URL for API calls, without trailing slash (the sandbox in development, the provider's host otherwise).
    let apiBaseURL: String
    /// Provider API credentials by name: Stripe `secret_key`; Razorpay `key_id`, `key_secret`;
    /// PayPal `client_id`, `client_secret`.
    let credentials: [String: String]
    let timeout: Duration
}

enum CaptureMethod: String, Sendable, Codable {
    case automatic, manual
}

/// What Coffer asks a provider to charge.
struct ProviderPaymentRequest: Sendable {
    /// Coffer's id, echoed back by the provider in metadata/reference (so webhooks map to it).
    let paymentID: String
    let amount: Money
    let captureMethod: CaptureMethod
    let description: String?
    let customerEmail: String?
    /// An opaque payment method from the tenant's front end (Stripe `pm_…`), when it has one.
    let paymentMethod: String?
    /// Where the provider sends the customer back after an approval step.
    let returnURL: String?
    let idempotencyKey: String
}

struct ProviderRefundRequest: Sendable {
    let refundID: String
    let providerPaymentID: String
    let amount: Money
    let reason: String?
    let idempotencyKey: String
}

/// A payment as the provider reports it.
struct ProviderPaymentState: Sendable, Equatable {
    enum Status: Sendable, Equatable {
        /// The customer must act (3-D Secure, checkout approval): send them to `url`.
        case requiresAction(url: String)
        case processing
        /// Authorized and waiting for capture.
        case authorized
        case captured
        case failed(code: String?, message: String?)
        case canceled
    }

    let providerPaymentID: String
    let status: Status
    let amountCapturable: Int64
    let amountCaptured: Int64
    let currency: Currency
    /// The provider's own status word, for logs and support.
    let rawStatus: String
}

struct ProviderRefundState: Sendable, Equatable {
    enum Status: String, Sendable, Equatable {
        case pending, succeeded, failed
    }

    let providerRefundID: String
    let status: Status
    let amount: Int64
    let rawStatus: String
}

/// Why a provider call did not succeed. `isRetryable` decides the gateway's retries and circuit
/// breaker; `mayHaveTakenEffect` whether a failed call must be resolved by asking before retrying.
struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: String, Sendable {
        /// The provider refused the payment itself (card declined, insufficient funds).
        case declined
        /// The request was wrong (bad amount, unknown object): fix the request, do not retry.
        case invalidRequest = "invalid_request"
        /// Credentials refused: the connector is misconfigured.
        case authentication
        /// The provider said "too many requests".
        case rateLimited = "rate_limited"
        /// 5xx, connection refused: the call did not take effect or may be retried safely.
        case unavailable
        /// No answer in time: the call may or may not have taken effect.
        case timeout
    }

    let kind: Kind
    /// The provider's error code (`card_declined`, `BAD_REQUEST_ERROR`), when it gave one.
    let code: String?
    /// The provider's message, safe to show (no credentials).
    let message: String

    var isRetryable: Bool { kind == .unavailable || kind == .timeout || kind == .rateLimited }
    var mayHaveTakenEffect: Bool { kind == .timeout }
    var description: String { "\(kind.rawValue)\(code.map { " (\($0))" } ?? ""): \(message)" }
}
