import Foundation
import Shared

/// A payout's lifecycle (never pay twice, never lose a payout). `PayoutLifecycle` decides every move.
enum PayoutStatus: String, Sendable, CaseIterable {
    /// Waits for its pay date (`scheduled_for`).
    case scheduled
    /// Waits for a different key with the approver role (above the threshold, or the tenant's first run).
    case pendingApproval = "pending_approval"
    /// Stopped by a safety rail until its reasons are cleared or an approver releases it.
    case held
    case queued
    /// A worker has it, or the provider accepted it and has not finished.
    case processing
    case processed
    case failed
    /// Paid, then returned by the destination: the balance is credited back.
    case reversed
    case canceled

    var isTerminal: Bool { self == .processed || self == .failed || self == .reversed || self == .canceled }
    /// Money has not left: the payout may still be canceled (its reservation returns to the balance).
    var isCancelable: Bool { self == .scheduled || self == .pendingApproval || self == .held || self == .queued }
    /// Not sent yet and not finished: what a hold or a re-pin applies to.
    var isOpen: Bool { isCancelable }
}

/// Why a payout waits for an approver (`approval_reasons`).
enum ApprovalReason: String, Sendable, CaseIterable {
    /// The tenant's first run (per mode) is not confirmed yet.
    case firstRun = "first_run"
    case aboveApprovalThreshold = "above_approval_threshold"
}

/// Why a payout is held (`hold_reasons`).
enum HoldReason: String, Sendable, CaseIterable {
    /// The payee's destination check has not passed.
    case destinationUnverified = "destination_unverified"
    case velocity
    case sharedDestination = "shared_destination"
    case amountAboveHistory = "amount_above_history"
    /// The payee's destination changed after this payout was created (it was re-pinned to the new one).
    case destinationChanged = "destination_changed"
    case payeeDisabled = "payee_disabled"
    /// Money of the other mode reached the balance it draws on: only two operators release it.
    case balanceHeld = "balance_held"
}

/// A payout as stored, and its public JSON (`object: "payout"`).
struct Payout: Sendable {
    let id: String
    let tenantID: String
    let livemode: Bool
    let payeeID: String
    let amount: Int64
    let currency: Currency
    let purpose: String
    let narration: String?
    var status: PayoutStatus
    var approvalReasons: [String]
    var holdReasons: [String]
    let scheduledFor: Date?
    /// A destination check (one major unit from the platform's account), not a payee's money.
    let isTest: Bool
    let batchID: String?
    var provider: String?
    var connectorID: String?
    var providerPayoutID: String?
    var attempts: Int
    var failureCode: String?
    var failureMessage: String?
    var approvedBy: String?
    var releasedBy: String?
    let createdBy: String
    let metadata: JSONValue
    let createdAt: Date
    var updatedAt: Date
    var processedAt: Date?
    /// Where this payout pays (pinned at creation, re-pinned only with a hold): kind and last four, for display.
    var destinationKind: String?
    var destinationLast4: String?

    var money: Money { Money(minorUnits: amount, currency: currency) }
    var orderingKey: String { "payee:" + payeeID }

    func has(_ reason: HoldReason) -> Bool { holdReasons.contains(reason.rawValue) }
    func has(_ reason: ApprovalReason) -> Bool { approvalReasons.contains(reason.rawValue) }

    var json: JSONValue {
        [
            "id": .string(id), "object": "payout", "livemode": .bool(livemode), "payee_id": .string(payeeID),
            "amount": .int(amount),
            "currency": .string(currency.code), "purpose": .string(purpose),
            "narration": narration.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue), "approval_reasons": .array(approvalReasons.map(JSONValue.string)),
            "hold_reasons": .array(holdReasons.map(JSONValue.string)),
            "scheduled_for": scheduledFor.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "destination_check": .bool(isTest),
            "batch_id": batchID.map(JSONValue.string) ?? .null, "provider": provider.map(JSONValue.string) ?? .null,
            "provider_payout_id": providerPayoutID.map(JSONValue.string) ?? .null, "attempts": .int(Int64(attempts)),
            "failure_code": failureCode.map(JSONValue.string) ?? .null,
            "failure_message": failureMessage.map(JSONValue.string) ?? .null,
            "approved_by": approvedBy.map(JSONValue.string) ?? .null,
            "released_by": releasedBy.map(JSONValue.string) ?? .null,
            "created_by": .string(createdBy), "metadata": metadata,
            "created": .string(Timestamp.rfc3339(createdAt)), "updated": .string(Timestamp.rfc3339(updatedAt)),
            "processed_at": processedAt.map { .string(Timestamp.rfc3339($0)) } ?? .null,
            "destination": destinationKind.map {
                ["type": .string($0), "last4": destinationLast4.map(JSONValue.string) ?? .null]
            } ?? .null,
        ]
    }

    /// What the payout waits for, as the lifecycle reads it.
    var gates: PayoutLifecycle.Gates {
        PayoutLifecycle.Gates(approvalReasons: approvalReasons, holdReasons: holdReasons, scheduledFor: scheduledFor)
    }
}

/// A payout's pinned destination (still sealed), for the worker that sends it.
struct PinnedDestination: Sendable {
    let kind: PayoutDestination.Kind
    let sealed: String
}
