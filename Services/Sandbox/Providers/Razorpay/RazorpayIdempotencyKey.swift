import HTTP

/// Razorpay's idempotency headers and their rules: `X-Refund-Idempotency` on refunds (optional, 10 to
/// 255 of `[A-Za-z0-9_-]`) and RazorpayX's `X-Payout-Idempotency` on payouts (required since March 2025,
/// 4 to 36 of `[A-Za-z0-9_-]` and spaces).
enum RazorpayIdempotencyKey: Sendable {
    case refund, payout

    var header: String {
        switch self {
        case .refund: "X-Refund-Idempotency"
        case .payout: "X-Payout-Idempotency"
        }
    }

    /// Why `key` cannot be used, or nil when it can (or, for refunds, when there is none).
    func problem(with key: String?) -> RazorpayError? {
        guard let key else {
            guard self == .payout else { return nil }
            return RazorpayError(
                description: "Idempotency key is missing. Include idempotency header and key in the request.",
                source: "business", step: "NA", reason: "NA", field: header)
        }
        switch self {
        case .refund:
            guard (10...255).contains(key.utf8.count), key.utf8.allSatisfy({ Self.isKeyByte($0) }) else {
                return .badRequest(
                    "The idempotency key must be at least 10 characters long and contain only "
                        + "alphabets, numbers, hyphens and underscores.")
            }
        case .payout:
            guard (4...36).contains(key.utf8.count), key.utf8.allSatisfy({ Self.isKeyByte($0) || $0 == 0x20 }) else {
                return .badRequest(
                    "The idempotency key must be 4 to 36 characters long and contain only alphabets, numbers, "
                        + "hyphens, underscores and spaces.", field: header)
            }
        }
        return nil
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
