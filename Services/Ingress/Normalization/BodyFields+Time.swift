import Foundation
import Shared

extension BodyFields {
    /// Latest instant accepted (9999-12-31T23:59:59Z): beyond it a "timestamp" is garbage, and RFC 3339
    /// formatting downstream has no four-digit year for it.
    static let maxUnixSeconds: Int64 = 253_402_300_799

    /// Unix seconds (Stripe's `created`, Razorpay's `created_at`): a non-negative integer.
    func unixSeconds(_ key: String) throws(NormalizationError) -> Date? {
        guard let value = value(key) else { return nil }
        guard let seconds = value.int64Value, seconds >= 0, seconds <= Self.maxUnixSeconds else {
            throw invalid(key, "is not a Unix time in seconds")
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// An RFC 3339 timestamp (PayPal's `create_time`).
    func rfc3339(_ key: String) throws(NormalizationError) -> Date? {
        guard let text = try string(key) else { return nil }
        guard let date = Timestamp.parse(text) else { throw invalid(key, "is not an RFC 3339 timestamp") }
        return date
    }

    /// A timestamp the provider documents loosely (Paystack's `paid_at`, Flutterwave's `created_at`,
    /// PhonePe's millisecond `timestamp`): used when it reads as RFC 3339 or Unix milliseconds, ignored
    /// otherwise, because an odd date format must not cost us the fact itself.
    func lenientTimestamp(_ key: String) -> Date? {
        switch value(key) {
        case .string(let text)?:
            return Timestamp.parse(text)
        case let number?:
            guard let millis = number.int64Value, millis >= 0, millis / 1000 <= Self.maxUnixSeconds else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
        case nil:
            return nil
        }
    }
}
