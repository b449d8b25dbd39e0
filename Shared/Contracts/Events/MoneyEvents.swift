import Foundation
import Shared

/// Events that move a payee's money between payments and payouts (DESIGN.md, Tenancy): payments posts
/// captures, fees and refunds to its ledger and emits `payee.credited` / `payee.debited`; payouts keeps
/// each payee's balance and emits `payout.processed` / `payout.reversed`, which payments posts to the
/// same ledger, so the ledger's payee-payable account always equals payouts' balance. Producers encode
/// and consumers decode these same types.
public enum MoneyEventType {
    public static let payeeCredited = "payee.credited"
    public static let payeeDebited = "payee.debited"
    public static let payeeUpserted = "payee.upserted"
    /// An operator's credit to a payee, or a two-operator livemode reversal (payouts publishes it;
    /// payments posts it). Its data is a `PayeeBalanceChange`.
    public static let payeeAdjusted = "payee.adjusted"
    /// Payments found money of one mode credited to a payee of the other (data written before modes
    /// were checked end to end): payouts holds the payee's balance until two operators reverse it.
    public static let payeeLivemodeConflict = "payee.livemode_conflict"
    public static let payoutProcessed = "payout.processed"
    public static let payoutReversed = "payout.reversed"
}

/// The events payouts publishes about its payouts (their data is a `PayoutEventData`), and its
/// providers' balances (`ProviderBalanceLow`).
public enum PayoutEventType {
    public static let created = "payout.created"
    public static let queued = "payout.queued"
    public static let held = "payout.held"
    public static let processed = MoneyEventType.payoutProcessed
    public static let failed = "payout.failed"
    public static let reversed = MoneyEventType.payoutReversed
    public static let canceled = "payout.canceled"
    public static let balanceLow = "provider_balance.low"
}

private enum MoneyKeys: String, CodingKey {
    case amount, currency
}

extension Money {
    /// Writes `amount` and `currency` at the encoder's current level (the wire keeps them flat).
    fileprivate func encodeFlat(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: MoneyKeys.self)
        try container.encode(minorUnits, forKey: .amount)
        try container.encode(currency, forKey: .currency)
    }

    fileprivate init(flatFrom decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: MoneyKeys.self)
        self.init(
            minorUnits: try container.decode(Int64.self, forKey: .amount),
            currency: try container.decode(Currency.self, forKey: .currency))
    }
}

/// `payee.credited` / `payee.debited` (and `payee.adjusted`): an amount added to or taken from a payee's balance.
public struct PayeeBalanceChange: Codable, Sendable, Equatable {
    public var payeeID: PayeeID
    public var tenantID: TenantID
    /// The mode of the money (the payment's): a consumer refuses a change whose mode is not the payee's.
    /// Optional only so an event written before modes were carried decodes — and is then refused.
    public var livemode: Bool?
    /// Positive for credits and debits (the type says which); signed for adjustments.
    public var money: Money
    /// `payment_captured`, `referral_bounty`, `refund`, `dispute_hold`, `operator_credit`, `livemode_reversal`.
    public var reason: String
    /// The object that caused it (a payment, refund, dispute, credit or conflict id); with `reason`, unique per change.
    public var sourceID: String
    public var paymentID: String?

    public init(
        payeeID: PayeeID, tenantID: TenantID, livemode: Bool?, money: Money, reason: String, sourceID: String,
        paymentID: String?
    ) {
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.livemode = livemode
        self.money = money
        self.reason = reason
        self.sourceID = sourceID
        self.paymentID = paymentID
    }

    private enum CodingKeys: String, CodingKey {
        case payeeID, tenantID, livemode, reason, sourceID, paymentID
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        payeeID = try container.decode(PayeeID.self, forKey: .payeeID)
        tenantID = try container.decode(TenantID.self, forKey: .tenantID)
        livemode = try container.decodeIfPresent(Bool.self, forKey: .livemode)
        money = try Money(flatFrom: decoder)
        reason = try container.decode(String.self, forKey: .reason)
        sourceID = try container.decode(String.self, forKey: .sourceID)
        paymentID = try container.decodeIfPresent(String.self, forKey: .paymentID)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(payeeID, forKey: .payeeID)
        try container.encode(tenantID, forKey: .tenantID)
        try container.encode(livemode, forKey: .livemode)
        try money.encodeFlat(to: encoder)
        try container.encode(reason, forKey: .reason)
        try container.encode(sourceID, forKey: .sourceID)
        try container.encode(paymentID, forKey: .paymentID)
    }
}

/// `payee.upserted` (from payouts): what payments needs to know about a payee.
public struct PayeeUpserted: Codable, Sendable, Equatable {
    public var payeeID: PayeeID
    public var tenantID: TenantID
    /// The payee's mode: only payments of this mode may pay it.
    public var livemode: Bool?
    public var recruiterPayeeID: PayeeID?
    public var status: String
    public var version: Int64

    public init(
        payeeID: PayeeID, tenantID: TenantID, livemode: Bool?, recruiterPayeeID: PayeeID?, status: String,
        version: Int64
    ) {
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.livemode = livemode
        self.recruiterPayeeID = recruiterPayeeID
        self.status = status
        self.version = version
    }
}

/// `payout.*` (from payouts): a payout as it now stands. Payments posts `payout.processed` and
/// `payout.reversed` to its ledger (a destination check is paid from the platform's own account);
/// notifications tells people about every change.
public struct PayoutEventData: Codable, Sendable, Equatable {
    public var payoutID: PayoutID
    public var payeeID: PayeeID
    public var tenantID: TenantID
    /// The payout's mode: its ledger postings go to that mode's books. Optional only so an event
    /// written before modes were carried decodes — and is then refused.
    public var livemode: Bool?
    public var money: Money
    public var status: String
    public var purpose: String?
    public var failureCode: String?
    public var failureMessage: String?
    /// True for a destination check (the "₹1 test") paid from the platform's own account: it touches
    /// no payee's balance.
    public var destinationCheck: Bool?
    public var approvalReasons: [String]?
    public var holdReasons: [String]?
    public var batchID: String?
    public var providerPayoutID: String?

    public init(
        payoutID: PayoutID, payeeID: PayeeID, tenantID: TenantID, livemode: Bool?, money: Money, status: String,
        purpose: String? = nil,
        failureCode: String? = nil, failureMessage: String? = nil, destinationCheck: Bool? = nil,
        approvalReasons: [String]? = nil,
        holdReasons: [String]? = nil, batchID: String? = nil, providerPayoutID: String? = nil
    ) {
        self.payoutID = payoutID
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.livemode = livemode
        self.money = money
        self.status = status
        self.purpose = purpose
        self.failureCode = failureCode
        self.failureMessage = failureMessage
        self.destinationCheck = destinationCheck
        self.approvalReasons = approvalReasons
        self.holdReasons = holdReasons
        self.batchID = batchID
        self.providerPayoutID = providerPayoutID
    }

    private enum CodingKeys: String, CodingKey {
        case payoutID, payeeID, tenantID, livemode, status, purpose, failureCode, failureMessage, destinationCheck,
            approvalReasons,
            holdReasons, batchID, providerPayoutID
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        payoutID = try container.decode(PayoutID.self, forKey: .payoutID)
        payeeID = try container.decode(PayeeID.self, forKey: .payeeID)
        tenantID = try container.decode(TenantID.self, forKey: .tenantID)
        livemode = try container.decodeIfPresent(Bool.self, forKey: .livemode)
        money = try Money(flatFrom: decoder)
        status = try container.decode(String.self, forKey: .status)
        purpose = try container.decodeIfPresent(String.self, forKey: .purpose)
        failureCode = try container.decodeIfPresent(String.self, forKey: .failureCode)
        failureMessage = try container.decodeIfPresent(String.self, forKey: .failureMessage)
        destinationCheck = try container.decodeIfPresent(Bool.self, forKey: .destinationCheck)
        approvalReasons = try container.decodeIfPresent([String].self, forKey: .approvalReasons)
        holdReasons = try container.decodeIfPresent([String].self, forKey: .holdReasons)
        batchID = try container.decodeIfPresent(String.self, forKey: .batchID)
        providerPayoutID = try container.decodeIfPresent(String.self, forKey: .providerPayoutID)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(payoutID, forKey: .payoutID)
        try container.encode(payeeID, forKey: .payeeID)
        try container.encode(tenantID, forKey: .tenantID)
        try container.encode(livemode, forKey: .livemode)
        try money.encodeFlat(to: encoder)
        try container.encode(status, forKey: .status)
        try container.encode(purpose, forKey: .purpose)
        try container.encode(failureCode, forKey: .failureCode)
        try container.encode(failureMessage, forKey: .failureMessage)
        try container.encode(destinationCheck, forKey: .destinationCheck)
        try container.encode(approvalReasons, forKey: .approvalReasons)
        try container.encode(holdReasons, forKey: .holdReasons)
        try container.encode(batchID, forKey: .batchID)
        try container.encode(providerPayoutID, forKey: .providerPayoutID)
    }
}

/// `provider_balance.low` (from payouts): a provider account cannot cover the payouts waiting for it.
public struct ProviderBalanceLow: Codable, Sendable, Equatable {
    public var connectorID: String
    public var provider: String
    public var currency: String
    public var available: Int64
    public var queued: Int64
    public var shortfall: Int64

    public init(connectorID: String, provider: String, currency: String, available: Int64, queued: Int64) {
        self.connectorID = connectorID
        self.provider = provider
        self.currency = currency
        self.available = available
        self.queued = queued
        shortfall = queued - available
    }
}

/// `payee.livemode_conflict` (from payments): money of `sourceLivemode` reached a payee of the other
/// mode before modes were checked end to end. Payouts holds the payee's balance in `currency` for
/// `amount` until two operators reverse it; `sourceIDs` are the payments (and their refunds and
/// disputes) whose balance entries are affected.
public struct PayeeLivemodeConflict: Codable, Sendable, Equatable {
    public var conflictID: String
    public var payeeID: PayeeID
    public var tenantID: TenantID
    public var payeeLivemode: Bool
    public var sourceLivemode: Bool
    public var money: Money
    public var sourceIDs: [String]

    public init(
        conflictID: String, payeeID: PayeeID, tenantID: TenantID, payeeLivemode: Bool, sourceLivemode: Bool,
        money: Money,
        sourceIDs: [String]
    ) {
        self.conflictID = conflictID
        self.payeeID = payeeID
        self.tenantID = tenantID
        self.payeeLivemode = payeeLivemode
        self.sourceLivemode = sourceLivemode
        self.money = money
        self.sourceIDs = sourceIDs
    }

    private enum CodingKeys: String, CodingKey {
        case conflictID, payeeID, tenantID, payeeLivemode, sourceLivemode, sourceIDs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        conflictID = try container.decode(String.self, forKey: .conflictID)
        payeeID = try container.decode(PayeeID.self, forKey: .payeeID)
        tenantID = try container.decode(TenantID.self, forKey: .tenantID)
        payeeLivemode = try container.decode(Bool.self, forKey: .payeeLivemode)
        sourceLivemode = try container.decode(Bool.self, forKey: .sourceLivemode)
        money = try Money(flatFrom: decoder)
        sourceIDs = try container.decode([String].self, forKey: .sourceIDs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conflictID, forKey: .conflictID)
        try container.encode(payeeID, forKey: .payeeID)
        try container.encode(tenantID, forKey: .tenantID)
        try container.encode(payeeLivemode, forKey: .payeeLivemode)
        try container.encode(sourceLivemode, forKey: .sourceLivemode)
        try money.encodeFlat(to: encoder)
        try container.encode(sourceIDs, forKey: .sourceIDs)
    }
}
