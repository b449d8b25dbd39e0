import Foundation
import Shared

/// One balanced money movement for the double-entry journal: debits positive, credits negative,
/// same-account lines netted and zeros dropped. Pure: the store writes it (`LedgerStore`).
///
/// Accounts: `provider_clearing` (what providers hold for us), `platform_revenue`,
/// `payee_payable:<payee>` (what each payee is owed — equals payouts' balance), `merchant_payable` (the
/// tenant's own share when a payment has no payee), `disputes_held` (disputed money on hold),
/// `payouts_clearing` (money paid out).
struct LedgerPosting: Sendable {
    struct Line: Sendable, Equatable {
        let account: String
        let amount: Int64
    }

    let tenantID: String
    let livemode: Bool
    /// With `reference`, the posting's identity: posted at most once.
    let kind: String
    let reference: String
    let currency: String
    let lines: [Line]

    /// The lines netted per account, in first-seen order, without zeros.
    var netted: [Line] {
        var sums: [String: Int64] = [:]
        var order: [String] = []
        for line in lines where line.amount != 0 {
            if sums[line.account] == nil { order.append(line.account) }
            sums[line.account, default: 0] &+= line.amount
        }
        return order.compactMap { account in
            sums[account].flatMap { $0 == 0 ? nil : Line(account: account, amount: $0) }
        }
    }

    static func payeeAccount(_ payeeID: String?) -> String {
        payeeID.map { "payee_payable:" + $0 } ?? "merchant_payable"
    }

    /// A capture: the gross is collected by the provider and owed to the payee (or merchant), the
    /// platform and a recruiter; the provider keeps its fee, charged to whoever bears it.
    static func captureLines(split: FeeSplit, payeeID: String?, recruiterID: String?, feeBearer: String) -> [Line] {
        let payee = payeeAccount(payeeID)
        var lines = [
            Line(account: "provider_clearing", amount: split.gross),
            Line(account: payee, amount: -(split.gross - split.platformFee)),
            Line(account: "platform_revenue", amount: -(split.platformFee - split.bounty)),
            Line(account: "provider_clearing", amount: -split.providerFee),
            Line(account: feeBearer == "platform" ? "platform_revenue" : payee, amount: split.providerFee),
        ]
        if split.bounty > 0, let recruiterID {
            lines.append(Line(account: payeeAccount(recruiterID), amount: -split.bounty))
        }
        // Whatever the payee could not bear (fees above its share) comes out of the platform.
        let payeeLoss = split.gross - split.platformFee - (feeBearer == "payee" ? split.providerFee : 0)
        if payeeLoss < 0 {
            // The payee's lines net to a debit of -payeeLoss; credit it back and let the platform bear it.
            lines.append(Line(account: payee, amount: payeeLoss))
            lines.append(Line(account: "platform_revenue", amount: -payeeLoss))
        }
        return lines
    }

    /// A refund: the provider returns `amount` to the customer; the payee gives back its share, the platform the rest.
    static func refundLines(amount: Int64, payeeShare: Int64, payeeID: String?) -> [Line] {
        [
            Line(account: "provider_clearing", amount: -amount),
            Line(account: payeeAccount(payeeID), amount: payeeShare),
            Line(account: "platform_revenue", amount: amount - payeeShare),
        ]
    }

    /// A dispute: the disputed amount is put on hold, taken from the payee's share (proportional, as
    /// for a refund) and the platform's.
    static func disputeHoldLines(amount: Int64, payeeShare: Int64, payeeID: String?) -> [Line] {
        [
            Line(account: payeeAccount(payeeID), amount: payeeShare),
            Line(account: "platform_revenue", amount: amount - payeeShare),
            Line(account: "disputes_held", amount: -amount),
        ]
    }

    /// A destination check paid from the platform's own account.
    static func testPayoutLines(amount: Int64, reversed: Bool) -> [Line] {
        let sign: Int64 = reversed ? -1 : 1
        return [
            Line(account: "platform_revenue", amount: sign * amount),
            Line(account: "payouts_clearing", amount: -sign * amount),
        ]
    }

    /// An operator's credit to a payee (negative: a debit): the platform bears it.
    static func adjustmentLines(amount: Int64, payeeID: String) -> [Line] {
        [Line(account: "platform_revenue", amount: amount), Line(account: payeeAccount(payeeID), amount: -amount)]
    }

    static func payoutLines(amount: Int64, payeeID: String, reversed: Bool) -> [Line] {
        let sign: Int64 = reversed ? -1 : 1
        return [
            Line(account: payeeAccount(payeeID), amount: sign * amount),
            Line(account: "payouts_clearing", amount: -sign * amount),
        ]
    }
}
