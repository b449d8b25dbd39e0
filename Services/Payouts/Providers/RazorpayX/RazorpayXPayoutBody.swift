import Foundation
import ProviderKit
import Shared

/// The body of RazorpayX's composite payout (`POST /v1/payouts` with the fund account and contact inline):
/// one call instead of contact, fund account and payout, and RazorpayX reuses an existing contact and fund
/// account when the details match, so repeated payouts to one payee do not pile up duplicates.
enum RazorpayXPayoutBody {
    /// IMPS carries at most ₹5,00,000 a transfer; above that the payout goes by NEFT.
    static let impsLimit: Int64 = 50_000_000

    static func json(_ request: ProviderPayoutRequest, sourceAccount: String) throws(ProviderError) -> JSONValue {
        guard request.amount.currency == .inr else {
            throw ProviderError.invalid("currency_unsupported", "RazorpayX pays out in INR only.")
        }
        let fundAccount: JSONValue
        let mode: String
        switch request.destination {
        case .bankAccount(let accountNumber, let ifsc, let holderName):
            fundAccount = [
                "account_type": "bank_account",
                "bank_account": [
                    "name": .string(holderName), "ifsc": .string(ifsc), "account_number": .string(accountNumber),
                ],
                "contact": contact(holderName, request),
            ]
            mode = request.amount.minorUnits <= impsLimit ? "IMPS" : "NEFT"
        case .upi(let vpa, let holderName):
            fundAccount = [
                "account_type": "vpa", "vpa": ["address": .string(vpa)], "contact": contact(holderName, request),
            ]
            mode = "UPI"
        default:
            throw ProviderError.invalid(
                "destination_unsupported", "RazorpayX pays to bank accounts and UPI addresses only.")
        }
        var body: [String: JSONValue] = [
            "account_number": .string(sourceAccount),
            "amount": .int(request.amount.minorUnits),
            "currency": .string(request.amount.currency.code),
            "mode": .string(mode),
            "purpose": .string(purpose(request.purpose)),
            "fund_account": fundAccount,
            // A payout made while the account is short waits in `queued` instead of failing.
            "queue_if_low_balance": true,
            "reference_id": .string(request.payoutID),
        ]
        if let narration = narration(request.sentNarration) { body["narration"] = .string(narration) }
        return .object(body)
    }

    /// RazorpayX's default purposes are refund, cashback, payout, salary, utility bill and vendor bill;
    /// Coffer's words outside that set are mapped onto it, anything else is sent as the tenant wrote it
    /// (a purpose the business created in its dashboard).
    static func purpose(_ purpose: String) -> String {
        switch purpose {
        case "referral": "cashback"
        case "test": "payout"
        default: purpose
        }
    }

    /// The contact RazorpayX files the payout under. Its name takes at most 50 characters.
    private static func contact(_ holderName: String, _ request: ProviderPayoutRequest) -> JSONValue {
        let type: String
        switch request.purpose {
        case "salary": type = "employee"
        case "refund", "referral": type = "customer"
        default: type = "vendor"
        }
        return [
            "name": .string(String(holderName.prefix(50))), "type": .string(type),
            "reference_id": .string(request.payoutID),
        ]
    }

    /// RazorpayX takes letters, digits and spaces in a narration (it appears on the bank statement);
    /// anything else is dropped rather than the payout refused.
    static func narration(_ text: String?) -> String? {
        guard let text else { return nil }
        var kept = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where isNarrationCharacter(scalar) { kept.append(scalar) }
        let trimmed = String(kept).trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    private static func isNarrationCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", " ": true
        default: false
        }
    }
}
