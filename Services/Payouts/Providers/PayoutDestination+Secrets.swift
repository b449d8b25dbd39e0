import ProviderKit

extension PayoutDestination {
    /// What a provider's error or failure text must not carry into Coffer's logs and answers: the
    /// payee's account number, VPA, MSISDN or email, by the same redaction as credentials.
    var secrets: [String: String] {
        switch self {
        case .bankAccount(let accountNumber, _, _): ["destination_account_number": accountNumber]
        case .upi(let vpa, _): ["destination_vpa": vpa]
        case .mobileMoney(let msisdn, _): ["destination_msisdn": msisdn]
        case .paypal(let email): ["destination_email": email]
        case .stripeAccount: [:]
        }
    }
}

extension ProviderConnector {
    /// The connector's credentials plus `extra` (tokens, the payee's identifiers): everything
    /// `ProviderResponse.safeMessage` must strip.
    func secrets(_ extra: [String: String] = [:]) -> [String: String] {
        credentials.merging(extra) { current, _ in current }
    }
}
