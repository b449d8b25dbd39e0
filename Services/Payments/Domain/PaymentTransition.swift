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

    static func decide(current: PaymentStatus, observed: ProviderPaymentState.Status, amountCaptured: Int64,
                       amountCapturable: Int64) -> PaymentTransition {
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
