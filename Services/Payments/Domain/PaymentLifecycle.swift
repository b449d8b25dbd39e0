import Contracts
import Shared

/// What a provider's view of a payment does to Coffer's copy. Pure, so every ordering of webhooks,
/// API answers and status polls can be tested without a database: the state only moves forwards,
/// a late `failed` after `captured` is ignored (and logged by the caller), and a capture the provider
/// reports is always believed — money the provider took must be on the books even if Coffer had
/// given up on the payment.
enum PaymentTransition: Equatable, Sendable {
    case requiresAction(url: String)
    case authorize(capturable: Int64)
    /// `amount` is what the provider says it captured.
    case capture(amount: Int64)
    case fail(code: String?, message: String?)
    case cancel
    /// Nothing to change (the same news again, or news Coffer already has).
    case unchanged
    /// The news is older than what Coffer knows; `reason` is for the log.
    case stale(reason: String)

    static func decide(
        current: PaymentStatus, observed: ProviderPaymentState.Status, amountCaptured: Int64,
        amountCapturable: Int64
    ) -> PaymentTransition {
        switch observed {
        case .processing:
            return .unchanged
        case .requiresAction(let url):
            switch current {
            case .processing: return .requiresAction(url: url)
            case .requiresAction: return .unchanged
            default: return .stale(reason: "requires_action after \(current.rawValue)")
            }
        case .authorized:
            switch current {
            case .processing, .requiresAction: return .authorize(capturable: amountCapturable)
            case .authorized, .capturing: return .unchanged
            default: return .stale(reason: "authorized after \(current.rawValue)")
            }
        case .captured:
            switch current {
            case .processing, .requiresAction, .authorized, .capturing: return .capture(amount: amountCaptured)
            // The provider has the money: a payment Coffer marked failed or canceled (a lost answer, a
            // timeout it gave up on) is captured after all.
            case .failed, .canceled: return .capture(amount: amountCaptured)
            case .captured, .partiallyRefunded, .refunded: return .unchanged
            }
        case .failed(let code, let message):
            switch current {
            case .processing, .requiresAction, .authorized, .capturing: return .fail(code: code, message: message)
            case .failed: return .unchanged
            default: return .stale(reason: "failed after \(current.rawValue)")
            }
        case .canceled:
            switch current {
            case .processing, .requiresAction, .authorized, .capturing: return .cancel
            case .canceled: return .unchanged
            default: return .stale(reason: "canceled after \(current.rawValue)")
            }
        }
    }
}

/// What a tenant may ask of a payment, decided from its status alone (pure, table-tested).
enum PaymentLifecycle {
    enum Request: Sendable {
        case capture, cancel
    }

    /// Nil when the request may proceed; otherwise why not.
    static func refusal(_ request: Request, status: PaymentStatus, providerConfirmed: Bool) -> DomainError? {
        switch request {
        case .capture:
            guard status.canCapture else {
                return .conflict("This payment is \(status.rawValue); only an authorized payment can be captured.")
            }
        case .cancel:
            guard status.canCancel else {
                return .conflict("This payment is \(status.rawValue); it can no longer be canceled.")
            }
        }
        guard providerConfirmed else {
            return .conflict("The provider has not confirmed this payment yet; retry shortly.")
        }
        return nil
    }
}

/// Every move of a refund's status (pure, table-tested over every status and outcome).
enum RefundLifecycle {
    enum Decision: Sendable, Equatable {
        /// Book the refund; `releaseReservation` when its amount was reserved on the payment.
        case succeed(releaseReservation: Bool)
        /// Failed: its reservation returns to the payment.
        case fail
        /// Nothing to do (`reason` is logged when the news contradicts what Coffer knows).
        case ignore(reason: String?)
    }

    /// What the provider's news about a refund does.
    static func onProvider(_ status: Refund.Status, _ observed: ProviderRefundState.Status) -> Decision {
        switch (status, observed) {
        case (.pending, .succeeded): .succeed(releaseReservation: true)
        // The provider returned the money after all (Coffer had seen a failure): booked if it still fits.
        case (.failed, .succeeded): .succeed(releaseReservation: false)
        case (.pending, .failed): .fail
        case (.succeeded, .failed):
            .ignore(
                reason:
                    "provider reports a failed refund Coffer booked as succeeded; ignored, reconcile with the provider")
        case (_, .pending), (.succeeded, .succeeded), (.failed, .failed): .ignore(reason: nil)
        case (.pendingApproval, _), (.canceled, _):
            .ignore(reason: "provider news about a refund Coffer never sent; ignored")
        }
    }

    enum Request: Sendable {
        case approve, cancel
    }

    /// Approving or declining a refund waiting for approval (`nil`: proceed).
    static func refusal(_ request: Request, status: Refund.Status) -> DomainError? {
        guard status == .pendingApproval else {
            return .conflict(
                "This refund is \(status.rawValue); only a refund pending approval can be \(request == .approve ? "approved" : "canceled")."
            )
        }
        return nil
    }
}
