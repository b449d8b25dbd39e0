import HTTP
import ProviderKit
import Shared

/// Airtel Money disbursements as `ProviderPayoutState`s.
///
/// A transaction's `status`: TS succeeded; TIP (in progress) and TA (ambiguous: only an enquiry can
/// settle it) are under way; TF failed and TE expired. Where an answer gives no transaction status the
/// `response_code` decides: DP00900001001 succeeded; the codes Airtel documents as refusals fail; any
/// other code (ambiguous, in process, timed out, or one Coffer does not know) stays pending for a lookup
/// to settle, because failing a payout that went through would pay it twice.
enum AirtelDisbursementMapping {
    static let succeeded = "DP00900001001"
    /// Another request already used this transaction id ("similar information already exists",
    /// "duplicate transaction id"): the first one's outcome is read instead.
    static let duplicates: Set<String> = ["DP00900001011", "DP00900001017"]
    /// Refusals: daily limit, amount out of range, failed, insufficient funds, invalid initiatee, payer
    /// not allowed, incorrect number, refused, signature mismatch.
    static let refusals: Set<String> = [
        "DP00900001003", "DP00900001004", "DP00900001005", "DP00900001007", "DP00900001009", "DP00900001010",
        "DP00900001012", "DP00900001013", "DP00900001016",
    ]
    /// Enquiry for an id Airtel has never seen.
    static let notFound = "DP00900001015"

    static func responseCode(_ answer: PayoutAnswer) -> String? { answer.optionalString("status.response_code") }

    /// The `status.response_code` of any answer, success or error.
    static func responseCode(_ response: HTTPClientResponse) -> String? {
        ProviderResponse.errorJSON(response)?.value(at: "status.response_code")?.stringValue
    }

    static func state(_ answer: PayoutAnswer, transactionID: String, amount: Money, secrets: [String: String])
        throws(ProviderError) -> ProviderPayoutState
    {
        let code = responseCode(answer)
        let rawStatus: String
        let status: ProviderPayoutState.Status
        if let transactionStatus = answer.optionalString("data.transaction.status") {
            rawStatus = transactionStatus
            switch transactionStatus.uppercased() {
            case "TS": status = .processed
            case "TIP", "TA": status = .pending
            case "TF", "TE":
                status = .failed(code: code ?? transactionStatus, message: message(answer, secrets: secrets))
            default: throw answer.unexpected("an unknown transaction status")
            }
        } else if let code {
            rawStatus = code
            if code == succeeded {
                status = .processed
            } else if refusals.contains(code) {
                status = .failed(code: code, message: message(answer, secrets: secrets))
            } else {
                status = .pending
            }
        } else {
            throw answer.unexpected("neither a transaction status nor a response code")
        }
        return ProviderPayoutState(
            providerPayoutID: transactionID, status: status, amount: amount.minorUnits, currency: amount.currency,
            rawStatus: rawStatus)
    }

    /// The transaction's message, else the answer's: Airtel's texts can name the payee's number and the
    /// wallet's balance, so the payee's number is redacted with the credentials.
    private static func message(_ answer: PayoutAnswer, secrets: [String: String]) -> String? {
        (answer.optionalString("data.transaction.message") ?? answer.optionalString("status.message")).map {
            ProviderResponse.safeMessage($0, credentials: secrets, fallback: "failed")
        }
    }
}
