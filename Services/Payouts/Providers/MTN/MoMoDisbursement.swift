import Contracts
import HTTP
import ProviderKit
import Shared

/// The MoMo Open API's disbursement flow, shared by MTN and (assumed) Zamtel:
///
/// - `POST /disbursement/v1_0/transfer` with `X-Reference-Id`, a UUID derived from the idempotency key,
///   answered 202 with no body: accepted, pending. A repeat with the same id is refused 409 (duplicated
///   reference): the first attempt was received, so its transfer is read and reported instead.
/// - `GET /disbursement/v1_0/transfer/{referenceId}`: the transfer's state; 404 means it was never received.
/// - `GET /disbursement/v1_0/account/balance`: `{availableBalance, currency}`.
struct MoMoDisbursement: Sendable {
    let api: MoMoDisbursementAPI
    /// The currency when an answer names none (Zamtel's kwacha); nil for MTN, which always names it.
    let defaultCurrency: Currency?

    var provider: ProviderName { api.provider }

    func send(_ request: ProviderPayoutRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState
    {
        guard case .mobileMoney(let msisdn, _) = request.destination else {
            throw ProviderError.invalid(
                "destination_unsupported", "\(ProviderDisplayName.of(provider)) pays out to mobile-money wallets only.")
        }
        guard !msisdn.isEmpty, msisdn.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw ProviderError.invalid(
                "invalid_destination", "The MSISDN must be digits in international form, without +.")
        }
        let referenceID = PayoutReferenceUUID.make(from: try ProviderIdentifiers.requireKey(request.idempotencyKey))
        var body: [String: JSONValue] = [
            "amount": .string(request.amount.majorUnitString),
            "currency": .string(request.amount.currency.code),
            "externalId": .string(request.payoutID),
            "payee": ["partyIdType": "MSISDN", "partyId": .string(msisdn)],
        ]
        if let note = request.sentNarration {
            body["payerMessage"] = .string(note)
            body["payeeNote"] = .string(note)
        }
        let posted = try await api.exchange(
            .POST, "/disbursement/v1_0/transfer", body: .object(body), headers: ["X-Reference-Id": referenceID],
            isIdempotent: true, secrets: request.destination.secrets, connector: connector)
        if posted.response.status.isSuccess {
            return ProviderPayoutState(
                providerPayoutID: referenceID, status: .pending, amount: request.amount.minorUnits,
                currency: request.amount.currency, rawStatus: "ACCEPTED")
        }
        guard posted.response.status.code == 409 else { throw posted.error() }
        guard
            let existing = try await transfer(
                referenceID, role: .lookup, secrets: request.destination.secrets, connector: connector)
        else {
            throw ProviderError.unexpectedResponse(
                provider: provider, call: posted.call, "a duplicated reference id whose transfer cannot be found")
        }
        return existing
    }

    /// By the provider id (the reference id), else by the id derived from Coffer's reference: the same
    /// one `send` used when the idempotency key is the payout id, as the contract has it.
    func fetch(providerPayoutID: String?, reference: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState?
    {
        let referenceID: String
        if let providerPayoutID {
            referenceID = try ProviderIdentifiers.require(providerPayoutID, "reference id")
        } else {
            referenceID = PayoutReferenceUUID.make(from: try ProviderIdentifiers.require(reference, "payout reference"))
        }
        return try await transfer(referenceID, role: .operation, secrets: [:], connector: connector)
    }

    func balance(currency: Currency, connector: ProviderConnector) async throws(ProviderError) -> Int64? {
        let exchange = try await api.exchange(
            .GET, "/disbursement/v1_0/account/balance", isIdempotent: true, connector: connector)
        let balance = try exchange.answer()
        let held: Currency
        if balance.json["currency"] == nil, let defaultCurrency {
            held = defaultCurrency
        } else {
            held = try balance.currency("currency")
        }
        guard held == currency else { return nil }
        return try balance.majorUnits("availableBalance", currency: currency)
    }

    private func transfer(
        _ referenceID: String, role: ProviderCall.Role, secrets: [String: String], connector: ProviderConnector
    )
        async throws(ProviderError) -> ProviderPayoutState?
    {
        let exchange = try await api.exchange(
            .GET, "/disbursement/v1_0/transfer/{}", ids: [referenceID], role: role, isIdempotent: true,
            secrets: secrets,
            connector: connector)
        if exchange.response.status.code == 404 { return nil }
        return try MoMoTransferMapping.state(
            try exchange.answer(), referenceID: referenceID, defaultCurrency: defaultCurrency, secrets: exchange.secrets
        )
    }
}
