import HTTP
import Shared

/// Transfers for the control API: they are created settled, so only reversals and balances apply.
extension StripeSimulator: PayoutSimulator {
    func settlePayout(_ id: String, succeed: Bool) -> (changed: Bool, object: JSONValue)? {
        guard let accountID = state.withLock({ $0.transfers[id]?.accountID }),
            let json = try? transfer(id, accountID: accountID)
        else { return nil }
        return (false, json)
    }

    func reversePayout(_ id: String) throws(DomainError) -> JSONValue? {
        guard let transfer = state.withLock({ $0.transfers[id] }) else { return nil }
        guard transfer.remaining > 0 else { throw .conflict("Transfer \(id) has already been fully reversed.") }
        let caller = Caller(accountID: transfer.accountID, idempotencyKey: nil, requestID: nil)
        do {
            return try reverse(id, amount: nil, metadata: [:], caller: caller).transfer
        } catch {
            throw .conflict(error.message)
        }
    }

    func payoutBalances(accountID: String) -> (opening: Int64, pots: [String: Int64]) {
        state.withLock { ($0.balances.opening, $0.balances.pots(of: accountID)) }
    }

    func setPayoutBalance(accountID: String, pot: String, amount: Int64) throws(DomainError) {
        guard let currency = Currency(code: pot) else {
            throw .invalid("`currency` must be an ISO 4217 code.", param: "currency")
        }
        state.withLock { $0.balances.set(accountID, currency.code.lowercased(), amount) }
    }
}
