/// What provider news does to a payout. Pure, so every order of worker answers, webhooks and
/// lookups is testable: money that left is always booked (a payout Coffer had failed that the
/// provider paid after all is settled), a failure or return after payment is a reversal, and nothing
/// moves a payout backwards.
enum PayoutTransition: Equatable, Sendable {
    /// Paid: the reservation leaves the balance.
    case settle
    /// Paid although Coffer had released the reservation (failed after a timeout): taken from available.
    case settleLate
    /// Will not be paid: the reservation returns to the balance.
    case fail(code: String?, message: String?)
    /// Paid and returned: the money is the payee's again.
    case reverse
    /// Still in flight at the provider.
    case pending
    case unchanged
    case stale(reason: String)

    static func decide(current: PayoutStatus, observed: ProviderPayoutState.Status) -> PayoutTransition {
        switch observed {
        case .pending:
            return current == .processing || current == .queued ? .pending : .unchanged
        case .processed:
            switch current {
            case .processing, .queued: return .settle
            case .failed: return .settleLate
            case .processed: return .unchanged
            case .reversed: return .stale(reason: "processed after reversed")
            case .scheduled, .pendingApproval, .held, .canceled: return .stale(reason: "processed while \(current.rawValue): never sent")
            }
        case .failed(let code, let message):
            switch current {
            case .processing, .queued: return .fail(code: code, message: message)
            // A payout can fail after it was reported paid: the money came back.
            case .processed: return .reverse
            case .failed, .reversed, .canceled: return .unchanged
            case .scheduled, .pendingApproval, .held: return .stale(reason: "failed while \(current.rawValue): never sent")
            }
        case .reversed:
            switch current {
            case .processed: return .reverse
            case .processing, .queued: return .fail(code: "reversed", message: "The provider returned the payout.")
            case .reversed, .failed, .canceled: return .unchanged
            case .scheduled, .pendingApproval, .held: return .stale(reason: "reversed while \(current.rawValue): never sent")
            }
        }
    }
}
