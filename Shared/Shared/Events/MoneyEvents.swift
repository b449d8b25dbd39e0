import Foundation

/// Events that move a payee's money between payments and payouts (DESIGN.md, Tenancy): payments posts
/// captures, fees and refunds to its ledger and emits `payee.credited` / `payee.debited`; payouts keeps
/// each payee's balance and emits `payout.processed` / `payout.reversed`, which payments posts to the
/// same ledger, so the ledger's payee-payable account always equals payouts' balance.
public enum MoneyEventType {
    public static let payeeCredited = "payee.credited"
    public static let payeeDebited = "payee.debited"
    public static let payeeUpserted = "payee.upserted"
    /// An operator's credit to a payee (payouts publishes it; payments posts it as the platform's cost).
    public static let payeeAdjusted = "payee.adjusted"
    /// Payments found money of one mode credited to a payee of the other (data written before modes
    /// were checked end to end): payouts holds the payee's balance until two operators reverse it.
    public static let payeeLivemodeConflict = "payee.livemode_conflict"
    public static let payoutProcessed = "payout.processed"
    public static let payoutReversed = "payout.reversed"
}

/// `payee.credited` / `payee.debited`: an amount added to or taken from a payee's balance.
public struct PayeeBalanceChange: Codable, Sendable, Equatable {
    public var payeeID: String
    public var tenantID: String
    /// The mode of the money (the payment's): a consumer refuses a change whose mode is not the payee's.
    /// Optional only so an event written before modes were carried decodes — and is then refused.
    public var livemode: Bool?
    public var amount: Int64
    public var currency: String
    /// `payment_captured`, `referral_bounty`, `refund`, `dispute_hold`.
    public var reason: String
    /// The object that caused it (a payment, refund or dispute id); with `reason`, unique per change.
    public var sourceID: String
    public var paymentID: String?

    public init(payeeID: String, tenantID: String, livemode: Bool?, amount: Int64, currency: String, reason: String, sourceID: String,
                paymentID: String?) {
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.livemode = livemode
        self.amount = amount
        self.currency = currency
        self.reason = reason
        self.sourceID = sourceID
        self.paymentID = paymentID
    }
}

/// `payee.upserted` (from payouts): what payments needs to know about a payee.
public struct PayeeUpserted: Codable, Sendable, Equatable {
    public var payeeID: String
    public var tenantID: String
    /// The payee's mode: only payments of this mode may pay it.
    public var livemode: Bool?
    public var recruiterPayeeID: String?
    public var status: String
    public var version: Int64

    public init(payeeID: String, tenantID: String, livemode: Bool?, recruiterPayeeID: String?, status: String, version: Int64) {
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.livemode = livemode
        self.recruiterPayeeID = recruiterPayeeID
        self.status = status
        self.version = version
    }
}

/// `payout.processed` / `payout.reversed` (from payouts).
public struct PayoutSettled: Codable, Sendable, Equatable {
    public var payoutID: String
    public var payeeID: String
    public var tenantID: String
    /// The payout's mode: its ledger postings go to that mode's books.
    public var livemode: Bool?
    public var amount: Int64
    public var currency: String
    /// True for a destination check (the "₹1 test") paid from the platform's own account: it touches
    /// no payee's balance.
    public var destinationCheck: Bool?

    public init(payoutID: String, payeeID: String, tenantID: String, livemode: Bool?, amount: Int64, currency: String,
                destinationCheck: Bool? = nil) {
        self.payoutID = payoutID
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.livemode = livemode
        self.amount = amount
        self.currency = currency
        self.destinationCheck = destinationCheck
    }
}

/// `payee.livemode_conflict` (from payments): money of `sourceLivemode` reached a payee of the other
/// mode before modes were checked end to end. Payouts holds the payee's balance in `currency` for
/// `amount` until two operators reverse it; `sourceIDs` are the payments (and their refunds and
/// disputes) whose balance entries are affected.
public struct PayeeLivemodeConflict: Codable, Sendable, Equatable {
    public var conflictID: String
    public var payeeID: String
    public var tenantID: String
    public var payeeLivemode: Bool
    public var sourceLivemode: Bool
    public var amount: Int64
    public var currency: String
    public var sourceIDs: [String]

    public init(conflictID: String, payeeID: String, tenantID: String, payeeLivemode: Bool, sourceLivemode: Bool, amount: Int64,
                currency: String, sourceIDs: [String]) {
        self.conflictID = conflictID
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.payeeLivemode = payeeLivemode
        self.sourceLivemode = sourceLivemode
        self.amount = amount
        self.currency = currency
        self.sourceIDs = sourceIDs
    }
}
