import HTTP
import Shared

/// What the control API needs from a provider that sends payouts (`/_sandbox/payouts/…`).
protocol PayoutSimulator: Sendable {
    var provider: SandboxProvider { get }
    /// Settles a pending payout now, as its bank would: processed, or failed when `succeed` is false.
    /// Nil when there is no such payout; `changed` false when it was not pending.
    func settlePayout(_ id: String, succeed: Bool) -> (changed: Bool, object: JSONValue)?
    /// Reverses a processed payout (the money comes back) with the provider's reversal webhook. Nil when
    /// there is no such payout; throws when it cannot be reversed.
    func reversePayout(_ id: String) throws(DomainError) -> JSONValue?
    /// The balance pots the account used or had set, and what a pot opens with.
    func payoutBalances(accountID: String) -> (opening: Int64, pots: [String: Int64])
    /// Sets one pot: a currency (Stripe, MTN) or a business account number (RazorpayX).
    func setPayoutBalance(accountID: String, pot: String, amount: Int64) throws(DomainError)
}
