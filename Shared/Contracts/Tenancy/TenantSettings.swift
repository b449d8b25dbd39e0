import Foundation
import Shared

/// A tenant's settings (`GET/PATCH /v1/settings` on payments, copied to the other services with
/// `tenant.upserted`). Read strictly from JSON: unknown keys and out-of-range values are errors that
/// name the field. Amount thresholds are per currency, in minor units (`{"USD": 100000}`).
public struct TenantSettings: Sendable, Equatable {
    /// IANA time zone; "daily" limits use the tenant's day.
    public var timeZone: String
    public var refundPolicy: RefundPolicy
    public var fees: FeeSchedule
    /// Requests per minute per API key.
    public var apiRateLimitPerMinute: Int
    public var payoutLimits: PayoutLimits
    /// The "₹1 test": a new payout destination is verified by a small payout first.
    public var testPayout: TestPayout

    public struct RefundPolicy: Sendable, Equatable {
        /// Refunds are refused this many days after capture (0: no window).
        public var windowDays: Int
        /// The most that may be refunded, as basis points of the captured amount (10000 = all).
        public var maxRefundShareBPS: Int
        /// Refunds above these amounts (per currency, minor units) wait for approval by a different key.
        public var approvalThresholds: [String: Int64]

        public init(windowDays: Int, maxRefundShareBPS: Int, approvalThresholds: [String: Int64]) {
            self.windowDays = windowDays
            self.maxRefundShareBPS = maxRefundShareBPS
            self.approvalThresholds = approvalThresholds
        }
    }

    /// Fees in integer basis points. Rounding rule: each fee is `amount × bps / 10000` rounded half to
    /// even (banker's rounding), computed exactly with a 128-bit intermediate.
    public struct FeeSchedule: Sendable, Equatable {
        public var platformFeeBPS: Int
        public var providerFeeBPS: Int
        /// A fixed provider fee per payment, per currency, in minor units.
        public var providerFeeFixed: [String: Int64]
        /// Paid to a payee's recruiter out of the platform fee (never more than the platform fee).
        public var referralBountyBPS: Int
        /// Who bears the provider fee: `payee` or `platform`.
        public var providerFeeBearer: String

        public init(
            platformFeeBPS: Int, providerFeeBPS: Int, providerFeeFixed: [String: Int64], referralBountyBPS: Int,
            providerFeeBearer: String
        ) {
            self.platformFeeBPS = platformFeeBPS
            self.providerFeeBPS = providerFeeBPS
            self.providerFeeFixed = providerFeeFixed
            self.referralBountyBPS = referralBountyBPS
            self.providerFeeBearer = providerFeeBearer
        }
    }

    public struct PayoutLimits: Sendable, Equatable {
        public var maxSinglePayout: [String: Int64]
        public var dailyTotal: [String: Int64]
        public var maxPayoutsPerPayeePerDay: Int
        public var newPayeeCoolingHours: Int
        /// Payouts above these amounts (per currency, minor units) need approval by a different key with
        /// the approver role.
        public var approvalThresholds: [String: Int64]
        /// The smallest payout per payee type (`seller`, `employee`, `referrer`) and currency.
        public var minimumPayout: [String: [String: Int64]]

        public init(
            maxSinglePayout: [String: Int64], dailyTotal: [String: Int64], maxPayoutsPerPayeePerDay: Int,
            newPayeeCoolingHours: Int, approvalThresholds: [String: Int64],
            minimumPayout: [String: [String: Int64]] = [:]
        ) {
            self.maxSinglePayout = maxSinglePayout
            self.dailyTotal = dailyTotal
            self.maxPayoutsPerPayeePerDay = maxPayoutsPerPayeePerDay
            self.newPayeeCoolingHours = newPayeeCoolingHours
            self.approvalThresholds = approvalThresholds
            self.minimumPayout = minimumPayout
        }
    }

    public struct TestPayout: Sendable, Equatable {
        public var enabled: Bool
        /// Major units of the payout's currency (1 → ₹1, $1).
        public var amountMajorUnits: Int

        public init(enabled: Bool, amountMajorUnits: Int) {
            self.enabled = enabled
            self.amountMajorUnits = amountMajorUnits
        }
    }

    public static let defaults = TenantSettings(
        timeZone: "UTC",
        refundPolicy: RefundPolicy(windowDays: 180, maxRefundShareBPS: 10_000, approvalThresholds: [:]),
        fees: FeeSchedule(
            platformFeeBPS: 0, providerFeeBPS: 0, providerFeeFixed: [:], referralBountyBPS: 0,
            providerFeeBearer: "payee"),
        apiRateLimitPerMinute: 100,
        payoutLimits: PayoutLimits(
            maxSinglePayout: [:], dailyTotal: [:], maxPayoutsPerPayeePerDay: 10, newPayeeCoolingHours: 0,
            approvalThresholds: [:]),
        testPayout: TestPayout(enabled: false, amountMajorUnits: 1))

    public init(
        timeZone: String, refundPolicy: RefundPolicy, fees: FeeSchedule, apiRateLimitPerMinute: Int,
        payoutLimits: PayoutLimits, testPayout: TestPayout
    ) {
        self.timeZone = timeZone
        self.refundPolicy = refundPolicy
        self.fees = fees
        self.apiRateLimitPerMinute = apiRateLimitPerMinute
        self.payoutLimits = payoutLimits
        self.testPayout = testPayout
    }
}

/// A settings value that cannot be accepted; `param` is its dotted path (`fees.platform_fee_bps`).
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let param: String
    public let message: String
    public var description: String { "\(param): \(message)" }
}

extension TenantSettings {
    /// Reads settings strictly: every key must be known, every value in range.
    public init(json: JSONValue) throws(SettingsError) {
        let reader = SettingsReader(json, path: "")
        try reader.allowOnly([
            "time_zone", "refund_policy", "fees", "api_rate_limit_per_minute", "payout_limits", "test_payout",
        ])
        let defaults = TenantSettings.defaults
        timeZone = try reader.string("time_zone") ?? defaults.timeZone
        guard timeZone.utf8.count <= 64, TimeZone(identifier: timeZone) != nil else {
            throw SettingsError(param: "time_zone", message: "is not an IANA time zone")
        }

        let refund = try reader.object("refund_policy")
        try refund.allowOnly(["window_days", "max_refund_share_bps", "approval_thresholds"])
        refundPolicy = RefundPolicy(
            windowDays: try refund.int("window_days", in: 0...3650) ?? defaults.refundPolicy.windowDays,
            maxRefundShareBPS: try refund.int("max_refund_share_bps", in: 0...10_000)
                ?? defaults.refundPolicy.maxRefundShareBPS,
            approvalThresholds: try refund.amounts("approval_thresholds") ?? [:])

        let fee = try reader.object("fees")
        try fee.allowOnly([
            "platform_fee_bps", "provider_fee_bps", "provider_fee_fixed", "referral_bounty_bps", "provider_fee_bearer",
        ])
        fees = FeeSchedule(
            platformFeeBPS: try fee.int("platform_fee_bps", in: 0...10_000) ?? 0,
            providerFeeBPS: try fee.int("provider_fee_bps", in: 0...10_000) ?? 0,
            providerFeeFixed: try fee.amounts("provider_fee_fixed") ?? [:],
            referralBountyBPS: try fee.int("referral_bounty_bps", in: 0...10_000) ?? 0,
            providerFeeBearer: try fee.string("provider_fee_bearer") ?? "payee")
        guard ["payee", "platform"].contains(fees.providerFeeBearer) else {
            throw SettingsError(param: "fees.provider_fee_bearer", message: "must be payee or platform")
        }
        guard fees.platformFeeBPS + fees.providerFeeBPS <= 10_000 else {
            throw SettingsError(param: "fees", message: "platform and provider fees together cannot exceed 100%")
        }
        guard fees.referralBountyBPS <= fees.platformFeeBPS else {
            throw SettingsError(
                param: "fees.referral_bounty_bps", message: "is paid out of the platform fee and cannot exceed it")
        }

        apiRateLimitPerMinute =
            try reader.int("api_rate_limit_per_minute", in: 1...1_000_000) ?? defaults.apiRateLimitPerMinute

        let payouts = try reader.object("payout_limits")
        try payouts.allowOnly([
            "max_single_payout", "daily_total", "max_payouts_per_payee_per_day", "new_payee_cooling_hours",
            "approval_thresholds", "minimum_payout",
        ])
        let minimums = try payouts.object("minimum_payout")
        try minimums.allowOnly(["seller", "employee", "referrer"])
        var minimumPayout: [String: [String: Int64]] = [:]
        for type in ["seller", "employee", "referrer"] {
            if let amounts = try minimums.amounts(type) { minimumPayout[type] = amounts }
        }
        payoutLimits = PayoutLimits(
            maxSinglePayout: try payouts.amounts("max_single_payout") ?? [:],
            dailyTotal: try payouts.amounts("daily_total") ?? [:],
            maxPayoutsPerPayeePerDay: try payouts.int("max_payouts_per_payee_per_day", in: 1...10_000)
                ?? defaults.payoutLimits.maxPayoutsPerPayeePerDay,
            newPayeeCoolingHours: try payouts.int("new_payee_cooling_hours", in: 0...8760) ?? 0,
            approvalThresholds: try payouts.amounts("approval_thresholds") ?? [:],
            minimumPayout: minimumPayout)

        let test = try reader.object("test_payout")
        try test.allowOnly(["enabled", "amount_major_units"])
        testPayout = TestPayout(
            enabled: try test.bool("enabled") ?? false,
            amountMajorUnits: try test.int("amount_major_units", in: 1...100) ?? 1)
    }

    /// The settings as JSON, every field present (what the API shows and events carry).
    public var json: JSONValue {
        func amounts(_ map: [String: Int64]) -> JSONValue { .object(map.mapValues { .int($0) }) }
        return [
            "time_zone": .string(timeZone),
            "refund_policy": [
                "window_days": .int(Int64(refundPolicy.windowDays)),
                "max_refund_share_bps": .int(Int64(refundPolicy.maxRefundShareBPS)),
                "approval_thresholds": amounts(refundPolicy.approvalThresholds),
            ],
            "fees": [
                "platform_fee_bps": .int(Int64(fees.platformFeeBPS)),
                "provider_fee_bps": .int(Int64(fees.providerFeeBPS)),
                "provider_fee_fixed": amounts(fees.providerFeeFixed),
                "referral_bounty_bps": .int(Int64(fees.referralBountyBPS)),
                "provider_fee_bearer": .string(fees.providerFeeBearer),
            ],
            "api_rate_limit_per_minute": .int(Int64(apiRateLimitPerMinute)),
            "payout_limits": [
                "max_single_payout": amounts(payoutLimits.maxSinglePayout),
                "daily_total": amounts(payoutLimits.dailyTotal),
                "max_payouts_per_payee_per_day": .int(Int64(payoutLimits.maxPayoutsPerPayeePerDay)),
                "new_payee_cooling_hours": .int(Int64(payoutLimits.newPayeeCoolingHours)),
                "approval_thresholds": amounts(payoutLimits.approvalThresholds),
                "minimum_payout": .object(payoutLimits.minimumPayout.mapValues(amounts)),
            ],
            "test_payout": [
                "enabled": .bool(testPayout.enabled), "amount_major_units": .int(Int64(testPayout.amountMajorUnits)),
            ],
        ]
    }

    /// RFC 7396 JSON merge patch: objects merge key by key, `null` removes, anything else replaces.
    public static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchObject {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = mergePatch(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }
}

/// Strict field access over a settings object, with dotted paths for errors.
struct SettingsReader {
    let value: JSONValue?
    let path: String

    init(_ value: JSONValue?, path: String) {
        self.value = value
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func allowOnly(_ keys: Set<String>) throws(SettingsError) {
        guard let value, value != .null else { return }
        guard let object = value.objectValue else {
            throw SettingsError(param: path.isEmpty ? "settings" : path, message: "must be an object")
        }
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw SettingsError(param: name(unknown), message: "is not a known setting")
        }
    }

    func object(_ key: String) throws(SettingsError) -> SettingsReader {
        let inner = value?[key]
        if let inner, inner != .null, inner.objectValue == nil {
            throw SettingsError(param: name(key), message: "must be an object")
        }
        return SettingsReader(inner, path: name(key))
    }

    func string(_ key: String) throws(SettingsError) -> String? {
        guard let field = value?[key], field != .null else { return nil }
        guard let text = field.stringValue else { throw SettingsError(param: name(key), message: "must be a string") }
        return text
    }

    func bool(_ key: String) throws(SettingsError) -> Bool? {
        guard let field = value?[key], field != .null else { return nil }
        guard let flag = field.boolValue else {
            throw SettingsError(param: name(key), message: "must be true or false")
        }
        return flag
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(SettingsError) -> Int? {
        guard let field = value?[key], field != .null else { return nil }
        guard let number = field.int64Value, let int = Int(exactly: number), range.contains(int) else {
            throw SettingsError(
                param: name(key), message: "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return int
    }

    /// The largest amount any setting may hold: the largest amount a payment or payout may have, so
    /// no fee, limit or threshold can push money arithmetic near overflow.
    static let maximumAmount: Int64 = 99_999_999_999

    /// `{"USD": 100000}`: known currency codes to positive minor-unit amounts, at most `maximumAmount`.
    func amounts(_ key: String) throws(SettingsError) -> [String: Int64]? {
        guard let field = value?[key], field != .null else { return nil }
        guard let object = field.objectValue else {
            throw SettingsError(param: name(key), message: "must map currency codes to amounts")
        }
        var result: [String: Int64] = [:]
        for (code, amount) in object {
            guard let currency = Currency(code: code) else {
                throw SettingsError(param: "\(name(key)).\(code)", message: "is not a currency")
            }
            guard let minor = amount.int64Value, minor > 0, minor <= Self.maximumAmount else {
                throw SettingsError(
                    param: "\(name(key)).\(code)",
                    message: "must be a positive amount in minor units, at most \(Self.maximumAmount)")
            }
            result[currency.code] = minor
        }
        return result
    }
}
