import Shared

/// One trustworthy report of a payment's state at the provider: an API answer, a status fetch, or a
/// signed webhook. Unsigned callbacks never become one until the provider's status API confirms them.
struct ProviderObservation: Sendable, Equatable {
    let providerPaymentID: String?
    let status: ProviderPaymentState.Status
    /// Nil when the source did not say (webhooks without amounts).
    let amountCaptured: Int64?
    let amountCapturable: Int64?
    let currency: Currency?
    /// Where it came from, for logs: `api`, `webhook`, `status_fetch`.
    let source: String

    init(_ state: ProviderPaymentState, source: String) {
        providerPaymentID = state.providerPaymentID
        status = state.status
        amountCaptured = state.amountCaptured
        amountCapturable = state.amountCapturable
        currency = state.currency
        self.source = source
    }

    init(
        providerPaymentID: String?, status: ProviderPaymentState.Status, amountCaptured: Int64?,
        amountCapturable: Int64?,
        currency: Currency?, source: String
    ) {
        self.providerPaymentID = providerPaymentID
        self.status = status
        self.amountCaptured = amountCaptured
        self.amountCapturable = amountCapturable
        self.currency = currency
        self.source = source
    }
}
