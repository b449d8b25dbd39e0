import ProviderKit
import Shared

/// A MoMo transfer (`GET /disbursement/v1_0/transfer/{referenceId}`) as a `ProviderPayoutState`:
/// SUCCESSFUL is paid, PENDING under way, FAILED a final failure whose `reason` (a string, or
/// `{code, message}`) is the code. REJECTED and TIMEOUT, which some MoMo products report, fail too.
/// The provider payout id is the `X-Reference-Id` Coffer chose, which is what the status call takes.
enum MoMoTransferMapping {
    static func state(
        _ transfer: PayoutAnswer, referenceID: String, defaultCurrency: Currency?, secrets: [String: String]
    )
        throws(ProviderError) -> ProviderPayoutState
    {
        let rawStatus = try transfer.string("status")
        let currency: Currency
        if transfer.json["currency"] == nil, let defaultCurrency {
            currency = defaultCurrency
        } else {
            currency = try transfer.currency("currency")
        }
        let amount = try transfer.majorUnits("amount", currency: currency)
        let status: ProviderPayoutState.Status
        switch rawStatus.uppercased() {
        case "SUCCESSFUL": status = .processed
        case "PENDING": status = .pending
        case "FAILED", "REJECTED", "TIMEOUT":
            let (code, text) = reason(transfer)
            status = .failed(
                code: code ?? rawStatus,
                message: text.map { ProviderResponse.safeMessage($0, credentials: secrets, fallback: rawStatus) })
        default: throw transfer.unexpected("an unknown transfer status")
        }
        return ProviderPayoutState(
            providerPayoutID: referenceID, status: status, amount: amount, currency: currency, rawStatus: rawStatus)
    }

    private static func reason(_ transfer: PayoutAnswer) -> (code: String?, message: String?) {
        if let code = transfer.optionalString("reason") { return (code, nil) }
        return (transfer.optionalString("reason.code"), transfer.optionalString("reason.message"))
    }
}
