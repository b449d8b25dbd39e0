import Shared

/// A Connect transfer from the platform's balance to a connected account (`tr_…`). Created at once, as
/// at Stripe; reversals bring (part of) it back.
struct StripeTransfer: Sendable {
    let id: String
    let accountID: String
    let amount: Int64
    /// Lower-case, as Stripe writes currencies.
    let currency: String
    /// The connected account (`acct_…`).
    let destination: String
    /// The payment the transfer makes on the connected account (`py_…`).
    let destinationPayment: String
    let balanceTransaction: String
    var amountReversed: Int64 = 0
    var reversalIDs: [String] = []
    var metadata: [String: String]
    let description: String?
    let transferGroup: String?
    let sourceTransaction: String?
    let created: Int64

    /// Coffer's id as the merchant wrote it: `metadata.coffer_payout_id`, else the transfer group.
    var cofferID: String? { metadata["coffer_payout_id"] ?? transferGroup }

    var remaining: Int64 { amount - amountReversed }

    /// The transfer with its reversals list, as Stripe embeds it (the ten newest).
    func json(reversals: [StripeTransferReversal]) -> JSONValue {
        let newest = reversals.reversed().prefix(10)
        return .object([
            "id": .string(id), "object": "transfer", "amount": .int(amount), "amount_reversed": .int(amountReversed),
            "balance_transaction": .string(balanceTransaction), "created": .int(created),
            "currency": .string(currency), "description": description.map(JSONValue.string) ?? .null,
            "destination": .string(destination), "destination_payment": .string(destinationPayment),
            "livemode": false, "metadata": .object(metadata.mapValues(JSONValue.string)),
            "reversals": .object([
                "object": "list", "data": .array(newest.map(\.json)), "has_more": .bool(reversals.count > 10),
                "total_count": .int(Int64(reversals.count)), "url": .string("/v1/transfers/\(id)/reversals"),
            ]),
            "reversed": .bool(amountReversed >= amount),
            "source_transaction": sourceTransaction.map(JSONValue.string) ?? .null,
            "source_type": "card", "transfer_group": transferGroup.map(JSONValue.string) ?? .null,
        ])
    }
}

/// A reversal of (part of) a transfer (`trr_…`): the money goes back to the platform's balance.
struct StripeTransferReversal: Sendable {
    let id: String
    let transfer: String
    let amount: Int64
    let currency: String
    let metadata: [String: String]
    let balanceTransaction: String
    /// The refund of the destination payment on the connected account (`pyr_…`).
    let destinationPaymentRefund: String
    let created: Int64

    var json: JSONValue {
        .object([
            "id": .string(id), "object": "transfer_reversal", "amount": .int(amount),
            "balance_transaction": .string(balanceTransaction), "created": .int(created),
            "currency": .string(currency), "destination_payment_refund": .string(destinationPaymentRefund),
            "metadata": .object(metadata.mapValues(JSONValue.string)), "source_refund": .null,
            "transfer": .string(transfer),
        ])
    }
}

/// `GET /v1/balance`: the platform's balance per currency (only what transfers moved; charges are not
/// credited to it).
enum StripeBalance {
    static func json(_ pots: [String: Int64], opening: Int64) -> JSONValue {
        let currencies = pots.isEmpty ? ["usd": opening] : pots
        let sorted = currencies.sorted { $0.key < $1.key }
        return .object([
            "object": "balance", "livemode": false,
            "available": .array(
                sorted.map { currency, amount in
                    .object([
                        "amount": .int(amount), "currency": .string(currency),
                        "source_types": .object(["card": .int(amount)]),
                    ])
                }),
            "pending": .array(
                sorted.map { currency, _ in
                    .object(["amount": 0, "currency": .string(currency), "source_types": .object(["card": 0])])
                }),
            "connect_reserved": .array(
                sorted.map { currency, _ in .object(["amount": 0, "currency": .string(currency)]) }),
        ])
    }
}
