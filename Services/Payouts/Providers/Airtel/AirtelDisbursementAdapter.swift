import Contracts
import HTTP
import ProviderKit
import Shared

/// Airtel Money disbursements (`POST /standard/v1/disbursements/`) to a wallet in the connector's
/// country, in its currency. Coffer's payout id is the transaction id: Airtel refuses a second
/// transaction with it (a duplicate, whose outcome is then read by enquiry), so a retry never pays
/// twice, and `GET /standard/v1/disbursements/{id}` finds a payout whose answer was lost.
///
/// Airtel's enquiry answer carries no amount, so a looked-up state reports the amount as 0 in the
/// connector's currency (the payouts service has the amount it sent). Airtel's balance call is not
/// documented for the disbursement wallet, so `balance` says nothing (nil).
struct AirtelDisbursementAdapter: PayoutProviderAdapter {
    let provider = ProviderName.airtel
    let destinations: Set<PayoutDestination.Kind> = [.mobileMoney]
    let api: AirtelClient

    /// `tokens` is shared by every call through this adapter: one access token per connector.
    init(httpClient: any HTTPClient, tokens: ProviderTokenCache = ProviderTokenCache()) {
        api = AirtelClient(transport: ProviderTransport(provider: .airtel, httpClient: httpClient), tokens: tokens)
    }

    func send(_ request: ProviderPayoutRequest, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState
    {
        guard case .mobileMoney(let msisdn, _) = request.destination else {
            throw ProviderError.invalid(
                "destination_unsupported", "Airtel Money pays out to mobile-money wallets only.")
        }
        guard !msisdn.isEmpty, msisdn.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw ProviderError.invalid(
                "invalid_destination", "The MSISDN must be digits in international form, without +.")
        }
        let credentials = try AirtelClient.Credentials(connector)
        guard request.amount.currency == credentials.currency else {
            throw ProviderError.invalid(
                "currency_unsupported", "This Airtel Money connector pays out in \(credentials.currency.code) only.")
        }
        guard let pin = credentials.encryptedPIN else {
            throw ProviderError.missingCredential("encrypted_pin", provider: .airtel)
        }
        guard let amount = JSONValue.number(literal: request.amount.majorUnitString), request.amount.isPositive else {
            throw ProviderError.invalid("invalid_amount", "An Airtel Money payout must be a positive amount.")
        }
        let transactionID = try ProviderIdentifiers.require(request.payoutID, "payout id")
        let local = AirtelMSISDN.local(msisdn, country: credentials.country)
        let body: JSONValue = [
            "payee": ["msisdn": .string(local)],
            "reference": .string(transactionID),
            "pin": .string(pin),
            // Major units as an exact decimal literal, never through floating point.
            "transaction": ["amount": amount, "id": .string(transactionID)],
        ]
        let payee = request.destination.secrets.merging(["destination_local_msisdn": local]) { current, _ in current }
        let posted = try await api.exchange(
            .POST, "/standard/v1/disbursements/", body: body, isIdempotent: true, secrets: payee, connector: connector)
        // Airtel has answered duplicates both as 200 with `success: false` and as an HTTP error.
        if let code = AirtelDisbursementMapping.responseCode(posted.response),
            AirtelDisbursementMapping.duplicates.contains(code)
        {
            guard
                let existing = try await enquiry(
                    transactionID, role: .lookup, amount: request.amount, secrets: payee, connector: connector)
            else {
                throw ProviderError.unexpectedResponse(
                    provider: .airtel, call: posted.call, "a duplicate transaction id whose transaction cannot be found"
                )
            }
            return existing
        }
        let answer = try posted.payoutAnswer(.airtel, AirtelErrorMapping.error)
        return try AirtelDisbursementMapping.state(
            answer, transactionID: transactionID, amount: request.amount, secrets: posted.secrets)
    }

    /// `GET /standard/v1/disbursements/{id}`: the provider id and Coffer's reference are both the
    /// transaction id Coffer chose. Nil when Airtel has never seen it.
    func fetch(providerPayoutID: String?, reference: String, connector: ProviderConnector) async throws(ProviderError)
        -> ProviderPayoutState?
    {
        let id = try ProviderIdentifiers.require(providerPayoutID ?? reference, "transaction id")
        let credentials = try AirtelClient.Credentials(connector)
        return try await enquiry(
            id, role: .operation, amount: .zero(credentials.currency), secrets: [:], connector: connector)
    }

    func balance(currency: Currency, connector: ProviderConnector) async throws(ProviderError) -> Int64? { nil }

    private func enquiry(
        _ transactionID: String, role: ProviderCall.Role, amount: Money, secrets: [String: String],
        connector: ProviderConnector
    ) async throws(ProviderError) -> ProviderPayoutState? {
        let exchange = try await api.exchange(
            .GET, "/standard/v1/disbursements/{}", ids: [transactionID], role: role, isIdempotent: true,
            secrets: secrets,
            connector: connector)
        if exchange.response.status.code == 404
            || AirtelDisbursementMapping.responseCode(exchange.response) == AirtelDisbursementMapping.notFound
        {
            return nil
        }
        let answer = try exchange.payoutAnswer(.airtel, AirtelErrorMapping.error)
        return try AirtelDisbursementMapping.state(
            answer, transactionID: transactionID, amount: amount, secrets: exchange.secrets)
    }
}
