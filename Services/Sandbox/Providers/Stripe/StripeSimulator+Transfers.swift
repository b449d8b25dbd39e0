import Foundation
import Shared
import Synchronization

/// Connect transfers: money from the platform's balance to a connected account, at once; reversals
/// bring it back. Both are payouts for the operation log.
extension StripeSimulator {
    func createTransfer(_ form: StripeForm, caller: Caller) throws(StripeError) -> JSONValue {
        guard let amount = try form.integer("amount") else { throw .missingParameter("amount") }
        guard amount >= 1 else {
            throw .invalidRequest(
                "This value must be greater than or equal to 1.", code: "parameter_invalid_integer", param: "amount")
        }
        let currencyText = try form.required("currency")
        guard let currency = Currency(code: currencyText) else {
            throw .invalidRequest(
                "Invalid currency: \(currencyText.lowercased()).", code: "parameter_invalid_string", param: "currency")
        }
        let destination = try form.required("destination")
        guard Self.isConnectedAccount(destination) else {
            throw .invalidRequest(
                "No such destination: '\(destination)'", code: "resource_missing", param: "destination")
        }
        var metadata: [String: String] = [:]
        StripeForm.apply(try form.metadata(), to: &metadata)
        let pot = currency.code.lowercased()
        let transfer = StripeTransfer(
            id: ProviderIDs.stripe("tr"), accountID: caller.accountID, amount: amount, currency: pot,
            destination: destination, destinationPayment: ProviderIDs.stripe("py"),
            balanceTransaction: ProviderIDs.stripe("txn"), metadata: metadata, description: form.value("description"),
            transferGroup: form.value("transfer_group"), sourceTransaction: form.value("source_transaction"),
            created: Int64(Date().timeIntervalSince1970))
        let json = try state.withLock { (state: inout State) throws(StripeError) -> JSONValue in
            guard state.balances.debit(caller.accountID, pot, amount) else { throw Self.insufficientBalance() }
            state.transfers[transfer.id] = transfer
            state.transferOrder[caller.accountID, default: []].append(transfer.id)
            if let group = transfer.transferGroup {
                state.transferGroups[caller.accountID + "\u{0}" + group, default: []].append(transfer.id)
            }
            return transfer.json(reversals: [])
        }
        var effects = StripeEffects(accountID: caller.accountID, intentID: transfer.id)
        effects.event("transfer.created", json)
        effects.operation(
            .payout, objectID: transfer.id, idempotencyKey: caller.idempotencyKey, cofferID: transfer.cofferID,
            amount: amount, currency: pot)
        finish(effects, caller: caller)
        return json
    }

    func transfer(_ id: String, accountID: String) throws(StripeError) -> JSONValue {
        try state.withLock { (state: inout State) throws(StripeError) -> JSONValue in
            guard let transfer = state.transfers[id], transfer.accountID == accountID else {
                throw .noSuch("transfer", id, param: "id")
            }
            return transfer.json(reversals: Self.reversals(of: transfer, state))
        }
    }

    /// `GET /v1/transfers`: newest first, filtered by `transfer_group` or `destination`, paged with
    /// `limit` (10 by default, at most 100) and `starting_after`.
    func transfers(_ form: StripeForm, accountID: String) throws(StripeError) -> JSONValue {
        let limit = try form.integer("limit") ?? 10
        guard (1...100).contains(limit) else {
            throw .invalidRequest(
                "This value must be between 1 and 100.", code: "parameter_invalid_integer", param: "limit")
        }
        let group = form.value("transfer_group")
        let destination = form.value("destination")
        let startingAfter = form.value("starting_after")
        return state.withLock { state in
            let ids =
                group.map { state.transferGroups[accountID + "\u{0}" + $0] ?? [] } ?? state.transferOrder[accountID]
                ?? []
            var page: [JSONValue] = []
            var hasMore = false
            var skipping = startingAfter != nil
            for id in ids.reversed() {
                if skipping {
                    skipping = id != startingAfter
                    continue
                }
                guard let transfer = state.transfers[id], destination == nil || transfer.destination == destination
                else { continue }
                guard page.count < limit else {
                    hasMore = true
                    break
                }
                page.append(transfer.json(reversals: Self.reversals(of: transfer, state)))
            }
            return .object([
                "object": "list", "data": .array(page), "has_more": .bool(hasMore), "url": "/v1/transfers",
            ])
        }
    }

    /// `POST /v1/transfers/{id}/reversals`: `amount` defaults to what is left.
    func reverseTransfer(_ id: String, _ form: StripeForm, caller: Caller) throws(StripeError) -> JSONValue {
        let requested = try form.integer("amount")
        if let requested, requested < 1 {
            throw .invalidRequest(
                "This value must be greater than or equal to 1.", code: "parameter_invalid_integer", param: "amount")
        }
        var metadata: [String: String] = [:]
        StripeForm.apply(try form.metadata(), to: &metadata)
        return try reverse(id, amount: requested, metadata: metadata, caller: caller).reversal.json
    }

    func transferReversals(_ id: String, accountID: String) throws(StripeError) -> JSONValue {
        try state.withLock { (state: inout State) throws(StripeError) -> JSONValue in
            guard let transfer = state.transfers[id], transfer.accountID == accountID else {
                throw .noSuch("transfer", id, param: "id")
            }
            let reversals = Self.reversals(of: transfer, state)
            return .object([
                "object": "list", "data": .array(reversals.reversed().map(\.json)), "has_more": false,
                "url": .string("/v1/transfers/\(id)/reversals"),
            ])
        }
    }

    func balance(accountID: String) -> JSONValue {
        state.withLock { StripeBalance.json($0.balances.pots(of: accountID), opening: $0.balances.opening) }
    }

    /// One reversal: the money goes back to the platform's balance, announced by `transfer.reversed`.
    func reverse(_ id: String, amount requested: Int64?, metadata: [String: String], caller: Caller)
        throws(StripeError) -> (reversal: StripeTransferReversal, transfer: JSONValue)
    {
        let (reversal, transfer, cofferID) = try state.withLock {
            (state: inout State) throws(StripeError) -> (StripeTransferReversal, JSONValue, String?) in
            guard var transfer = state.transfers[id], transfer.accountID == caller.accountID else {
                throw .noSuch("transfer", id, param: "id")
            }
            guard transfer.remaining > 0 else {
                throw .invalidRequest("Transfer \(id) has already been fully reversed.", param: "amount")
            }
            let amount = requested ?? transfer.remaining
            guard amount <= transfer.remaining else {
                throw .invalidRequest(
                    "Amount requested (\(amount)) is greater than the amount left on the transfer "
                        + "(\(transfer.remaining)).", code: "amount_too_large", param: "amount")
            }
            let reversal = StripeTransferReversal(
                id: ProviderIDs.stripe("trr"), transfer: id, amount: amount, currency: transfer.currency,
                metadata: metadata, balanceTransaction: ProviderIDs.stripe("txn"),
                destinationPaymentRefund: ProviderIDs.stripe("pyr"), created: Int64(Date().timeIntervalSince1970))
            transfer.amountReversed += amount
            transfer.reversalIDs.append(reversal.id)
            state.transfers[id] = transfer
            state.transferReversals[reversal.id] = reversal
            state.balances.credit(caller.accountID, transfer.currency, amount)
            return (reversal, transfer.json(reversals: Self.reversals(of: transfer, state)), transfer.cofferID)
        }
        var effects = StripeEffects(accountID: caller.accountID, intentID: id)
        effects.event("transfer.reversed", transfer)
        effects.operation(
            .payoutReversal, objectID: reversal.id, relatedObjectID: id, idempotencyKey: caller.idempotencyKey,
            cofferID: cofferID, amount: reversal.amount, currency: reversal.currency)
        finish(effects, caller: caller)
        return (reversal, transfer)
    }

    static func reversals(of transfer: StripeTransfer, _ state: State) -> [StripeTransferReversal] {
        transfer.reversalIDs.compactMap { state.transferReversals[$0] }
    }

    /// A connected account id the sandbox accepts: `acct_` and letters or digits, except the
    /// `acct_invalid…` ids tests use to be refused.
    static func isConnectedAccount(_ id: String) -> Bool {
        guard id.hasPrefix("acct_"), !id.hasPrefix("acct_invalid") else { return false }
        let rest = id.utf8.dropFirst(5)
        return !rest.isEmpty && rest.count <= 64
            && rest.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
            }
    }

    static func insufficientBalance() -> StripeError {
        .invalidRequest(
            "You have insufficient available funds in your Stripe account. Try adding funds directly to your "
                + "available balance by creating Charges using the 4000000000000077 test card. "
                + "See: https://stripe.com/docs/testing#available-balance", code: "balance_insufficient")
    }
}
