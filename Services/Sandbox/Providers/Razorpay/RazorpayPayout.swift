import Shared

/// A RazorpayX payout (`pout_…`) from a business account to a fund account: `processing` when made,
/// then `processed` — or `failed` for a destination its bank refuses — and `reversed` when the money
/// comes back; `queued` while the business account lacks the money (and `queue_if_low_balance` was set).
struct RazorpayPayout: Sendable {
    /// Why a payout failed, was queued or reversed: RazorpayX's `status_details` and `error`.
    struct Failure: Sendable, Equatable {
        let source: String
        let reason: String
        let description: String

        var json: JSONValue {
            .object(["source": .string(source), "reason": .string(reason), "description": .string(description)])
        }
    }

    static let lowBalance = Failure(
        source: "business", reason: "low_balance",
        description: "Payout is queued as there is insufficient balance in your business account to process the payout")
    /// A failure asked for through the control API, on a destination that would have been paid.
    static let bankFailure = Failure(
        source: "beneficiary_bank", reason: "beneficiary_bank_failure",
        description: "Payout failed at the beneficiary bank. Retry after some time.")
    static let reversal = Failure(
        source: "beneficiary_bank", reason: "payout_reversed",
        description: "Payout was reversed by the beneficiary bank and the amount returned to your business account.")

    let id: String
    let accountID: String
    /// The business account number the money comes from.
    let accountNumber: String
    let fundAccount: RazorpayFundAccount
    let amount: Int64
    let currency: String
    let mode: String
    let purpose: String
    let referenceID: String?
    let narration: String?
    let notes: [String: String]
    /// Fees including tax, and the tax on them, taken from the balance with the amount.
    let fees: Int64
    let tax: Int64
    /// `processing`, `processed`, `failed`, `reversed` or `queued`.
    var status: String
    var utr: String?
    var details: Failure?
    let createdAt: Int64

    /// Coffer's id as the merchant wrote it: `notes.coffer_payout_id`, else the reference id.
    var cofferID: String? { notes["coffer_payout_id"] ?? referenceID }

    /// What leaves the balance: the amount and its fees.
    var debit: Int64 { amount + fees }

    var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let failed = status == "failed" || status == "reversed"
        return .object([
            "id": .string(id), "entity": "payout", "fund_account_id": .string(fundAccount.id),
            "fund_account": fundAccount.json, "amount": .int(amount), "currency": .string(currency),
            "notes": notes.razorpayNotes, "fees": .int(fees), "tax": .int(tax), "status": .string(status),
            "purpose": .string(purpose), "utr": text(utr), "mode": .string(mode), "reference_id": text(referenceID),
            "narration": text(narration), "batch_id": .null, "status_details": details?.json ?? .null,
            "created_at": .int(createdAt), "fee_type": "", "merchant_id": .string(String(accountID.dropFirst(4))),
            "failure_reason": failed ? text(details?.description) : .null,
            "error": .object([
                "source": failed ? text(details?.source) : .null, "reason": failed ? text(details?.reason) : .null,
                "description": failed ? text(details?.description) : .null,
            ]),
        ])
    }
}
