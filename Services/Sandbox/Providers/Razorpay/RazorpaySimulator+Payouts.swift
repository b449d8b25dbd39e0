import Foundation
import Shared
import Synchronization

/// RazorpayX payouts: the money (and fees) leaves the business account's balance when the payout is
/// made; its bank settles it after the payout delay — processed, or failed for a refused destination,
/// when the money comes back. Announced by `payout.processed`, `payout.failed` and `payout.reversed`.
extension RazorpaySimulator {
    /// RazorpayX's fee per payout in the sandbox: ₹5 plus 18% GST, whatever the mode.
    static let payoutFees: (fees: Int64, tax: Int64) = (590, 90)

    func createPayout(_ request: RazorpayPayoutRequest, account: SandboxAccount, idempotencyKey: String?)
        throws(RazorpayError) -> JSONValue
    {
        if let registered = account.accountNumber, registered != request.accountNumber {
            throw .badRequest("The account number is invalid.", field: "account_number")
        }
        let now = Int64(Date().timeIntervalSince1970)
        let payout = try state.withLock { (state: inout State) throws(RazorpayError) -> RazorpayPayout in
            let fundAccount = try Self.fundAccount(request.fundAccount, accountID: account.id, now: now, &state)
            var payout = RazorpayPayout(
                id: ProviderIDs.razorpay("pout"), accountID: account.id, accountNumber: request.accountNumber,
                fundAccount: fundAccount, amount: request.amount, currency: request.currency, mode: request.mode,
                purpose: request.purpose, referenceID: request.referenceID, narration: request.narration,
                notes: request.notes, fees: Self.payoutFees.fees, tax: Self.payoutFees.tax, status: "processing",
                createdAt: now)
            if !state.balances.debit(account.id, request.accountNumber, payout.debit) {
                guard request.queueIfLowBalance else {
                    throw .badRequest("Your account does not have enough balance to carry out the payout operation.")
                }
                payout.status = "queued"
                payout.details = RazorpayPayout.lowBalance
            }
            state.payouts[payout.id] = payout
            state.payoutOrder[account.id + "\u{0}" + request.accountNumber, default: []].append(payout.id)
            if let reference = request.referenceID {
                state.payoutReferences[account.id + "\u{0}" + reference, default: []].append(payout.id)
            }
            return payout
        }
        var effects = RazorpayEffects(accountID: account.id, orderID: payout.id)
        effects.operation(
            .payout, objectID: payout.id, relatedObjectID: nil, idempotencyKey: idempotencyKey,
            cofferID: payout.cofferID, amount: payout.amount, currency: payout.currency)
        finish(effects)
        if payout.status == "processing" {
            let id = payout.id
            context.schedulePayoutSettlement(.razorpay, accountID: account.id) { [self] in
                settle(id, forced: nil)
            }
        }
        return payout.json
    }

    func payout(_ id: String, accountID: String) throws(RazorpayError) -> JSONValue {
        guard let payout = state.withLock({ $0.payouts[id] }), payout.accountID == accountID else { throw .noSuchID() }
        return payout.json
    }

    /// `GET /v1/payouts?account_number=…`: newest first, by `reference_id` and `status` when given,
    /// paged with `count` (10 by default, at most 100) and `skip`.
    func payouts(_ query: [String: String], accountID: String) throws(RazorpayError) -> [JSONValue] {
        guard let accountNumber = query["account_number"], !accountNumber.isEmpty else {
            throw .badRequest("The account number field is required.", field: "account_number")
        }
        guard let count = Int(query["count"] ?? "10"), (1...100).contains(count) else {
            throw .badRequest("The count must be between 1 and 100.", field: "count")
        }
        guard let skip = Int(query["skip"] ?? "0"), skip >= 0 else {
            throw .badRequest("The skip must be at least 0.", field: "skip")
        }
        let status = query["status"]
        let reference = query["reference_id"]
        return state.withLock { state in
            let ids =
                reference.map { state.payoutReferences[accountID + "\u{0}" + $0] ?? [] }
                ?? state.payoutOrder[accountID + "\u{0}" + accountNumber] ?? []
            var page: [JSONValue] = []
            var skipped = 0
            for id in ids.reversed() where page.count < count {
                guard let payout = state.payouts[id], payout.accountNumber == accountNumber,
                    status == nil || payout.status == status
                else { continue }
                if skipped < skip {
                    skipped += 1
                } else {
                    page.append(payout.json)
                }
            }
            return page
        }
    }

    /// `GET /v1/banking_balances`: the registered business account and every one payouts used.
    func bankingBalances(_ account: SandboxAccount) -> [JSONValue] {
        let now = Int64(Date().timeIntervalSince1970)
        return state.withLock { state in
            var pots = state.balances.pots(of: account.id)
            if let registered = account.accountNumber, pots[registered] == nil {
                pots[registered] = state.balances.opening
            }
            return pots.sorted { $0.key < $1.key }.map { number, amount in
                .object([
                    "entity": "banking_balance", "currency": "INR", "account_number": .string(number),
                    "account_type": "current_account", "bank_name": "RBL Bank", "bank_code": "RATN",
                    "amount": .int(amount), "available_amount": .int(amount), "refreshed_at": .int(now),
                ])
            }
        }
    }

    /// The payee's bank settles a processing payout: as its destination dictates (`forced` nil), or as
    /// told. Nil for an unknown payout; `changed` false when it was not processing.
    @discardableResult
    func settle(_ id: String, forced: Bool?) -> (changed: Bool, object: JSONValue)? {
        var effects: RazorpayEffects?
        let result = state.withLock { state -> (changed: Bool, object: JSONValue)? in
            guard var payout = state.payouts[id] else { return nil }
            guard payout.status == "processing" else { return (false, payout.json) }
            var changes = RazorpayEffects(accountID: payout.accountID, orderID: id)
            defer { effects = changes }
            let failure: RazorpayPayout.Failure?
            switch forced {
            case true?: failure = nil
            case false?: failure = payout.fundAccount.failure ?? RazorpayPayout.bankFailure
            case nil: failure = payout.fundAccount.failure
            }
            if let failure {
                payout.status = "failed"
                payout.details = failure
                state.balances.credit(payout.accountID, payout.accountNumber, payout.debit)
                changes.operation(
                    .payoutFailed, objectID: id, relatedObjectID: nil, cofferID: payout.cofferID,
                    amount: payout.amount, currency: payout.currency)
            } else {
                payout.status = "processed"
                payout.utr = Self.utr(mode: payout.mode)
            }
            state.payouts[id] = payout
            changes.event("payout." + payout.status, ["payout": payout.json])
            return (true, payout.json)
        }
        if let effects { finish(effects) }
        return result
    }

    /// The money of a processed payout comes back to the business account (`payout.reversed`).
    func reverse(_ id: String) -> Result<JSONValue, RazorpayError>? {
        var effects: RazorpayEffects?
        let result = state.withLock { state -> Result<JSONValue, RazorpayError>? in
            guard var payout = state.payouts[id] else { return nil }
            guard payout.status == "processed" else {
                return .failure(.invalidState("Only processed payouts can be reversed; this one is \(payout.status)."))
            }
            payout.status = "reversed"
            payout.details = RazorpayPayout.reversal
            state.payouts[id] = payout
            state.balances.credit(payout.accountID, payout.accountNumber, payout.debit)
            var changes = RazorpayEffects(accountID: payout.accountID, orderID: id)
            changes.event("payout.reversed", ["payout": payout.json])
            changes.operation(
                .payoutReversal, objectID: id, relatedObjectID: id, cofferID: payout.cofferID, amount: payout.amount,
                currency: payout.currency)
            effects = changes
            return .success(payout.json)
        }
        if let effects { finish(effects) }
        return result
    }

    /// The fund account a payout names, created the first time its details are seen.
    private static func fundAccount(
        _ source: RazorpayPayoutRequest.FundAccount, accountID: String, now: Int64, _ state: inout State
    ) throws(RazorpayError) -> RazorpayFundAccount {
        switch source {
        case .id(let id):
            guard let known = state.fundAccounts[accountID + "\u{0}" + id] else { throw .noSuchID() }
            return known
        case .details(let destination, let contact):
            let contactMaterial = [
                accountID, contact.name, contact.type ?? "", contact.referenceID ?? "", contact.email ?? "",
                contact.phone ?? "",
            ].joined(separator: "\u{0}")
            let contactID = ProviderIDs.razorpay("cont", derivedFrom: contactMaterial)
            let id = ProviderIDs.razorpay("fa", derivedFrom: contactID + "\u{0}" + "\(destination)")
            if let known = state.fundAccounts[accountID + "\u{0}" + id] { return known }
            let fundAccount = RazorpayFundAccount(
                id: id,
                contact: RazorpayContact(
                    id: contactID, name: contact.name, type: contact.type, referenceID: contact.referenceID,
                    email: contact.email, phone: contact.phone, createdAt: now),
                destination: destination, createdAt: now)
            state.fundAccounts[accountID + "\u{0}" + id] = fundAccount
            return fundAccount
        }
    }

    /// A bank reference for a processed payout: a 12-digit RRN for IMPS and UPI, else an NEFT/RTGS UTR.
    private static func utr(mode: String) -> String {
        let digits = Array("0123456789".utf8)
        switch mode {
        case "IMPS", "UPI": return ProviderIDs.random(12, from: digits)
        default: return "RATN" + (mode == "RTGS" ? "R" : "N") + ProviderIDs.random(11, from: digits)
        }
    }
}
