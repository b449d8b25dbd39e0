import Foundation
import Shared
import Synchronization

/// MTN MoMo's Disbursements in memory: transfers accepted as `PENDING` (the amount leaves the wallet),
/// settled by the network after the payout delay — `SUCCESSFUL`, or `FAILED` for an unknown payee or a
/// wallet without the money — with the final transfer PUT to the callback URL. A reference id names one
/// transfer forever: sending it again is a 409, never a second transfer.
final class MTNSimulator: Sendable {
    struct State {
        /// By reference id (a UUID, unique across accounts as at MTN).
        var transfers: [String: MTNTransfer] = [:]
        /// Each account's wallet, by currency.
        var balances: PayoutBalances

        init(payoutOpening: Int64) {
            balances = PayoutBalances(opening: payoutOpening)
        }
    }

    let context: SimulatorContext
    let tokens: AccessTokens
    let state: Mutex<State>

    init(context: SimulatorContext, tokens: AccessTokens) {
        self.context = context
        self.tokens = tokens
        state = Mutex(State(payoutOpening: context.payoutOpeningBalance))
    }

    /// A token shaped like MTN's (a JWT).
    @Sendable static func mintToken() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_".utf8)
        return "eyJ0eXAiOiJKV1QiLCJhbGciOiJSMjU2In0." + ProviderIDs.random(160, from: alphabet) + "."
            + ProviderIDs.random(86, from: alphabet)
    }

    func createTransfer(_ request: MTNTransferRequest, account: SandboxAccount) throws(MTNError) {
        let transfer = try state.withLock { (state: inout State) throws(MTNError) -> MTNTransfer in
            guard state.transfers[request.referenceID] == nil else { throw .duplicateReference() }
            let currency = request.amount.currency.code
            // The network fails an unknown payee; the sandbox's unknown payees end in 0000.
            let unknownPayee = request.partyIDType == "MSISDN" && request.partyID.hasSuffix("0000")
            let debited = !unknownPayee && state.balances.debit(account.id, currency, request.amount.minorUnits)
            let transfer = MTNTransfer(
                referenceID: request.referenceID, accountID: account.id, amount: request.amount,
                externalID: request.externalID, partyIDType: request.partyIDType, partyID: request.partyID,
                payerMessage: request.payerMessage, payeeNote: request.payeeNote, callbackURL: request.callbackURL,
                plannedFailure: unknownPayee ? "PAYEE_NOT_FOUND" : debited ? nil : "NOT_ENOUGH_FUNDS",
                debited: debited)
            state.transfers[request.referenceID] = transfer
            return transfer
        }
        context.operations.record(
            OperationDraft(
                provider: .mtn, kind: .payout, accountID: account.id, objectID: transfer.referenceID,
                idempotencyKey: transfer.referenceID, cofferID: transfer.externalID,
                amount: transfer.amount.minorUnits, currency: transfer.amount.currency.code))
        let referenceID = transfer.referenceID
        context.schedulePayoutSettlement(.mtn, accountID: account.id) { [self] in
            settle(referenceID, forced: nil)
        }
    }

    func transfer(_ referenceID: String, accountID: String) throws(MTNError) -> JSONValue {
        guard let transfer = state.withLock({ $0.transfers[referenceID.lowercased()] }),
            transfer.accountID == accountID
        else { throw .notFound() }
        return transfer.json
    }

    /// `GET /disbursement/v1_0/account/balance`: the wallet, in its currency.
    func balance(_ account: SandboxAccount) -> JSONValue {
        let currency = account.walletCurrency ?? "EUR"
        let available = state.withLock { $0.balances.available(account.id, currency) }
        let text = Currency(code: currency).map { Money(minorUnits: available, currency: $0).majorUnitString }
        return .object(["availableBalance": .string(text ?? String(available)), "currency": .string(currency)])
    }

    /// Whether a payee can receive (`GET …/accountholder/{type}/{id}/active`): the sandbox's unknown
    /// payees end in 0000.
    func isActive(partyID: String) -> Bool { !partyID.hasSuffix("0000") }

    /// The network settles a pending transfer: as planned when it was accepted (`forced` nil), or as
    /// told. Nil for an unknown reference; `changed` false when it was not pending.
    @discardableResult
    func settle(_ referenceID: String, forced: Bool?) -> (changed: Bool, object: JSONValue)? {
        var settled: MTNTransfer?
        let result = state.withLock { state -> (changed: Bool, object: JSONValue)? in
            guard var transfer = state.transfers[referenceID] else { return nil }
            guard transfer.status == "PENDING" else { return (false, transfer.json) }
            let failure: String?
            switch forced {
            case true?:
                // Told to pay an unknown payee: the money must be there now.
                if !transfer.debited {
                    transfer.debited = state.balances.debit(
                        transfer.accountID, transfer.amount.currency.code, transfer.amount.minorUnits)
                }
                failure = transfer.debited ? nil : "NOT_ENOUGH_FUNDS"
            case false?: failure = transfer.plannedFailure ?? "INTERNAL_PROCESSING_ERROR"
            case nil: failure = transfer.plannedFailure
            }
            if let failure {
                transfer.status = "FAILED"
                transfer.reason = failure
                if transfer.debited {
                    state.balances.credit(transfer.accountID, transfer.amount.currency.code, transfer.amount.minorUnits)
                }
            } else {
                transfer.status = "SUCCESSFUL"
                transfer.financialTransactionID = ProviderIDs.random(10, from: Array("0123456789".utf8))
            }
            state.transfers[referenceID] = transfer
            settled = transfer
            return (true, transfer.json)
        }
        if let settled { announce(settled) }
        return result
    }

    /// Records a failure and PUTs the final transfer to the callback URL (MTN signs nothing: the URL is
    /// the secret).
    private func announce(_ transfer: MTNTransfer) {
        if transfer.status == "FAILED" {
            context.operations.record(
                OperationDraft(
                    provider: .mtn, kind: .payoutFailed, accountID: transfer.accountID, objectID: transfer.referenceID,
                    cofferID: transfer.externalID, amount: transfer.amount.minorUnits,
                    currency: transfer.amount.currency.code))
        }
        context.webhooks.send([
            OutgoingWebhook(
                provider: .mtn, accountID: transfer.accountID, eventID: transfer.referenceID + ":" + transfer.status,
                eventType: transfer.status, groupKey: transfer.referenceID, body: transfer.json.serialized(),
                url: transfer.callbackURL, method: .PUT)
        ])
    }

    func reset() {
        state.withLock { $0 = State(payoutOpening: context.payoutOpeningBalance) }
    }
}
