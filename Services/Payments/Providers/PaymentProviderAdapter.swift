import Contracts
import Foundation
import HTTP
import ProviderKit
import Shared

/// One provider's payments API (create, capture, cancel, refund, fetch status) in Coffer's terms.
/// Adapters only translate and call: retries, circuit breaking and failover live in `ProviderGateway`.
/// Every call that changes money carries an idempotency key where the provider accepts one, so a
/// retry after a crash or timeout never charges or refunds twice.
protocol PaymentProviderAdapter: Sendable {
    var provider: ProviderName { get }
    func createPayment(_ request: ProviderPaymentRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPaymentState
    func capturePayment(
        _ providerPaymentID: String, amount: Money?, idempotencyKey: String,
        connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderPaymentState
    func cancelPayment(
        _ providerPaymentID: String, idempotencyKey: String,
        connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderPaymentState
    func refund(_ request: ProviderRefundRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderRefundState
    /// The provider's current view of a payment: confirms unsigned callbacks and resolves timeouts.
    func fetchPayment(_ providerPaymentID: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPaymentState
    func fetchRefund(_ providerRefundID: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderRefundState
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
