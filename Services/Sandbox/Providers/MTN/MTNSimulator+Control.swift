import HTTP
import Shared

/// MTN for the control API: it has no customer pages, and no reversals (a SUCCESSFUL transfer is final).
extension MTNSimulator: ProviderSimulator, PayoutSimulator {
    var provider: SandboxProvider { .mtn }

    func completeAsCustomer(_ objectID: String, succeed: Bool) -> (completed: Bool, object: JSONValue)? { nil }

    func settlePayout(_ id: String, succeed: Bool) -> (changed: Bool, object: JSONValue)? {
        settle(id.lowercased(), forced: succeed)
    }

    func reversePayout(_ id: String) throws(DomainError) -> JSONValue? {
        guard state.withLock({ $0.transfers[id.lowercased()] }) != nil else { return nil }
        throw .conflict("MTN MoMo has no reversals: a SUCCESSFUL transfer is final.", code: "not_reversible")
    }

    func payoutBalances(accountID: String) -> (opening: Int64, pots: [String: Int64]) {
        state.withLock { ($0.balances.opening, $0.balances.pots(of: accountID)) }
    }

    func setPayoutBalance(accountID: String, pot: String, amount: Int64) throws(DomainError) {
        guard let currency = Currency(code: pot) else {
            throw .invalid("`currency` must be an ISO 4217 code.", param: "currency")
        }
        state.withLock { $0.balances.set(accountID, currency.code, amount) }
    }
}
