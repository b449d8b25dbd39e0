import Shared

/// The money an account has for payouts at a simulated provider, in minor units, per pot: a currency
/// (a Stripe platform balance, an MTN wallet) or a RazorpayX business account number. A pot opens with
/// `opening` the first time it is used — large, so benchmarks never run dry — and moves with payouts,
/// failures and reversals. Kept inside each simulator's locked state, so a payout and its debit are one
/// change.
struct PayoutBalances: Sendable {
    let opening: Int64
    private var amounts: [Key: Int64] = [:]

    private struct Key: Hashable {
        let accountID: String
        let pot: String
    }

    init(opening: Int64) {
        self.opening = opening
    }

    func available(_ accountID: String, _ pot: String) -> Int64 {
        amounts[Key(accountID: accountID, pot: pot)] ?? opening
    }

    /// Takes `amount` out; false (and nothing taken) when the pot holds less.
    mutating func debit(_ accountID: String, _ pot: String, _ amount: Int64) -> Bool {
        let key = Key(accountID: accountID, pot: pot)
        let current = amounts[key] ?? opening
        guard current >= amount else { return false }
        amounts[key] = current - amount
        return true
    }

    mutating func credit(_ accountID: String, _ pot: String, _ amount: Int64) {
        let key = Key(accountID: accountID, pot: pot)
        amounts[key] = (amounts[key] ?? opening) + amount
    }

    /// Sets a pot (the control API's way to test a low balance).
    mutating func set(_ accountID: String, _ pot: String, _ amount: Int64) {
        amounts[Key(accountID: accountID, pot: pot)] = amount
    }

    /// The account's pots that were used or set, by name.
    func pots(of accountID: String) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for (key, amount) in amounts where key.accountID == accountID { result[key.pot] = amount }
        return result
    }
}
