import Contracts
import Shared

/// How a captured amount divides between the payee, the platform, a recruiter and the provider,
/// from the tenant's fee schedule. Integer arithmetic only: each percentage fee is
/// `amount × bps / 10000` rounded half to even; the referral bounty comes out of the platform fee;
/// whatever the payee would lose below zero is absorbed by the platform. Every sum is checked: a
/// schedule that cannot be computed is a thrown `MoneyError`, never a trapped process.
struct FeeSplit: Sendable, Equatable {
    let gross: Int64
    let platformFee: Int64
    let providerFee: Int64
    let bounty: Int64
    /// What the payee (or the merchant, without a payee) is owed.
    let payeeNet: Int64
    /// What the platform keeps (negative if it pays the provider fee and earns less).
    let platformNet: Int64

    init(gross: Money, fees: TenantSettings.FeeSchedule, hasRecruiter: Bool) throws {
        let currency = gross.currency
        guard gross.minorUnits >= 0 else { throw MoneyError.overflow }
        let platform = try gross.multiplied(by: Int64(fees.platformFeeBPS), dividedBy: 10_000, rounding: .halfEven)
            .minorUnits
        let percentage = try gross.multiplied(by: Int64(fees.providerFeeBPS), dividedBy: 10_000, rounding: .halfEven)
        let fixed = Money(minorUnits: fees.providerFeeFixed[currency.code] ?? 0, currency: currency)
        // The provider never takes more than the payment itself.
        let provider = min(try percentage.adding(fixed).minorUnits, gross.minorUnits)
        let bounty =
            hasRecruiter
            ? min(
                platform,
                try gross.multiplied(by: Int64(fees.referralBountyBPS), dividedBy: 10_000, rounding: .halfEven)
                    .minorUnits) : 0
        func minus(_ a: Int64, _ b: Int64) throws -> Int64 {
            let (value, overflow) = a.subtractingReportingOverflow(b)
            guard !overflow else { throw MoneyError.overflow }
            return value
        }
        var payee = try minus(minus(gross.minorUnits, platform), fees.providerFeeBearer == "payee" ? provider : 0)
        var platformNet = try minus(minus(platform, bounty), fees.providerFeeBearer == "platform" ? provider : 0)
        if payee < 0 {
            platformNet = try Money(minorUnits: platformNet, currency: currency).adding(
                Money(minorUnits: payee, currency: currency)
            ).minorUnits
            payee = 0
        }
        self.gross = gross.minorUnits
        self.platformFee = platform
        self.providerFee = provider
        self.bounty = bounty
        self.payeeNet = payee
        self.platformNet = platformNet
    }

    /// The payee's part of a refund of `amount`, proportional to its part of the capture (rounded half
    /// to even; the platform bears the rest). A full refund takes back exactly `payeeNet`.
    func payeeShare(ofRefund amount: Int64, currency: Currency) throws -> Int64 {
        guard gross > 0 else { return 0 }
        return try Money(minorUnits: amount, currency: currency).multiplied(
            by: payeeNet, dividedBy: gross, rounding: .halfEven
        ).minorUnits
    }
}
