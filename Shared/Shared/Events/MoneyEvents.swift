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
    public static let payoutProcessed = "payout.processed"
    public static let payoutReversed = "payout.reversed"
}

/// `payee.credited` / `payee.debited`: an amount added to or taken from a payee's balance.
public struct PayeeBalanceChange: Codable, Sendable, Equatable {
    public var payeeID: String
    public var tenantID: String
    public var amount: Int64
    public var currency: String
    /// `payment_captured`, `referral_bounty`, `refund`, `dispute_hold`.
    public var reason: String
    /// The object that caused it (a payment, refund or dispute id); with `reason`, unique per change.
    public var sourceID: String
    public var paymentID: String?

    public init(payeeID: String, tenantID: String, amount: Int64, currency: String, reason: String, sourceID: String, paymentID: String?) {
        self.payeeID = payeeID
        self.tenantID = tenantID
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
    public var recruiterPayeeID: String?
    public var status: String
    public var version: Int64

    public init(payeeID: String, tenantID: String, recruiterPayeeID: String?, status: String, version: Int64) {
        self.payeeID = payeeID
        self.tenantID = tenantID
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
    public var amount: Int64
    public var currency: String
    /// True for a destination check (the "₹1 test") paid from the platform's own account: it touches
    /// no payee's balance.
    public var destinationCheck: Bool?

    public init(payoutID: String, payeeID: String, tenantID: String, amount: Int64, currency: String, destinationCheck: Bool? = nil) {
        self.payoutID = payoutID
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.amount = amount
        self.currency = currency
        self.destinationCheck = destinationCheck
    }
}
