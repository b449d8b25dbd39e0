import HTTP
import Shared

/// RazorpayX payouts for the control API: settle now, reverse, and balances per business account number.
extension RazorpaySimulator: PayoutSimulator {
    func settlePayout(_ id: String, succeed: Bool) -> (changed: Bool, object: JSONValue)? {
        settle(id, forced: succeed)
    }

    func reversePayout(_ id: String) throws(DomainError) -> JSONValue? {
        switch reverse(id) {
        case nil: return nil
        case .success(let json)?: return json
        case .failure(let error)?: throw .conflict(error.description)
        }
    }

    func payoutBalances(accountID: String) -> (opening: Int64, pots: [String: Int64]) {
        state.withLock { ($0.balances.opening, $0.balances.pots(of: accountID)) }
    }

    func setPayoutBalance(accountID: String, pot: String, amount: Int64) throws(DomainError) {
        state.withLock { $0.balances.set(accountID, pot, amount) }
    }
}
