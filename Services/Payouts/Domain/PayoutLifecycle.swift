import Foundation

/// Every move of a payout's status, decided in one pure function (table-tested over every status and
/// event): what a payout's gates make it, what approvals, releases, cancels, confirmations and holds do,
/// and what provider news does (`PayoutTransition`, below). Nothing here reads or writes anything.
enum PayoutLifecycle {
    /// What happens to a payout.
    enum Event: Sendable, Equatable {
        /// Created: its gates decide where it starts.
        case created
        /// An approver approved it (every approval reason is cleared).
        case approved
        /// An approver released it (every hold reason is cleared).
        case released
        case canceled
        /// One gate cleared by the system: the tenant's first run confirmed, the destination verified,
        /// or a balance hold reversed by two operators.
        case cleared(reason: String)
        /// A safety rail holds it (the destination changed, the payee was disabled, a balance was held).
        case held(reason: String)
        /// A worker took it to send.
        case claimed
        /// A transient provider failure: it goes back to the queue.
        case retry
    }

    /// A payout's gates as they stand: what it waits for, and its date.
    struct Gates: Sendable, Equatable {
        var approvalReasons: [String]
        var holdReasons: [String]
        var scheduledFor: Date?
    }

    enum Refusal: Error, Sendable, Equatable {
        /// The event does not apply in this status.
        case notAllowed(PayoutStatus)
    }

    /// Where gates put a payout that is free to move: waiting for approval first, then held, then its
    /// date, then the queue.
    static func status(for gates: Gates, now: Date) -> PayoutStatus {
        if !gates.approvalReasons.isEmpty { return .pendingApproval }
        if !gates.holdReasons.isEmpty { return .held }
        if let date = gates.scheduledFor, date > now { return .scheduled }
        return .queued
    }

    /// The next status and gates, or why the event does not apply. `.unchanged` answers leave the
    /// payout as it is (a cancel of a canceled payout).
    static func next(_ status: PayoutStatus, _ gates: Gates, on event: Event, now: Date) -> Result<
        (PayoutStatus, Gates), Refusal
    > {
        var gates = gates
        switch event {
        case .created:
            return .success((Self.status(for: gates, now: now), gates))
        case .approved:
            guard status == .pendingApproval else { return .failure(.notAllowed(status)) }
            gates.approvalReasons = []
            return .success((Self.status(for: gates, now: now), gates))
        case .released:
            guard status == .held else { return .failure(.notAllowed(status)) }
            gates.holdReasons = []
            return .success((Self.status(for: gates, now: now), gates))
        case .canceled:
            if status == .canceled { return .success((.canceled, gates)) }
            guard status.isCancelable else { return .failure(.notAllowed(status)) }
            return .success((.canceled, gates))
        case .cleared(let reason):
            gates.approvalReasons.removeAll { $0 == reason }
            gates.holdReasons.removeAll { $0 == reason }
            // Only a payout waiting on gates moves; one in the queue or beyond keeps its status.
            guard status == .pendingApproval || status == .held else { return .success((status, gates)) }
            return .success((Self.status(for: gates, now: now), gates))
        case .held(let reason):
            guard status.isOpen else { return .failure(.notAllowed(status)) }
            if !gates.holdReasons.contains(reason) { gates.holdReasons.append(reason) }
            // Waiting for approval stays waiting (the hold is still there once approved).
            return .success((status == .pendingApproval ? .pendingApproval : .held, gates))
        case .claimed:
            guard status == .queued || status == .scheduled else { return .failure(.notAllowed(status)) }
            return .success((.processing, gates))
        case .retry:
            guard status == .processing else { return .failure(.notAllowed(status)) }
            return .success((.queued, gates))
        }
    }
}

/// What provider news does to a payout. Pure, so every order of worker answers, webhooks and lookups
/// is testable: money that left is always booked (a payout Coffer had failed that the provider paid
/// after all is settled), a failure or return after payment is a reversal, and nothing moves a payout
/// backwards.
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
            case .scheduled, .pendingApproval, .held, .canceled:
                return .stale(reason: "processed while \(current.rawValue): never sent")
            }
        case .failed(let code, let message):
            switch current {
            case .processing, .queued: return .fail(code: code, message: message)
            // A payout can fail after it was reported paid: the money came back.
            case .processed: return .reverse
            case .failed, .reversed, .canceled: return .unchanged
            case .scheduled, .pendingApproval, .held:
                return .stale(reason: "failed while \(current.rawValue): never sent")
            }
        case .reversed:
            switch current {
            case .processed: return .reverse
            case .processing, .queued: return .fail(code: "reversed", message: "The provider returned the payout.")
            case .reversed, .failed, .canceled: return .unchanged
            case .scheduled, .pendingApproval, .held:
                return .stale(reason: "reversed while \(current.rawValue): never sent")
            }
        }
    }

    /// What an operator may force (`force-resolve`), as the provider's news would.
    static func forced(from current: PayoutStatus, to target: PayoutStatus) -> PayoutTransition? {
        switch (target, current) {
        case (.processed, .processing), (.processed, .queued): .settle
        case (.processed, .failed): .settleLate
        case (.failed, .processing), (.failed, .queued), (.failed, .held), (.failed, .scheduled),
            (.failed, .pendingApproval):
            .fail(code: "force_resolved", message: nil)
        case (.reversed, .processed): .reverse
        default: nil
        }
    }

    /// The status a payout has after this transition (nil: it keeps its own).
    var resultingStatus: PayoutStatus? {
        switch self {
        case .settle, .settleLate: .processed
        case .fail: .failed
        case .reverse: .reversed
        case .pending, .unchanged, .stale: nil
        }
    }
}
