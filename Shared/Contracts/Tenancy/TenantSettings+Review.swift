import Shared

/// Which settings changes loosen a control and so need a second key (or an operator) to approve: a
/// compromised key alone must not raise a limit, lift a threshold, widen the refund window, shorten
/// the cooling period, switch off the destination check, raise its own rate limit or move fees (who is
/// paid what). Tightening applies at once. Pure, so every field is tested.
extension TenantSettings {
    /// The dotted names of the fields `proposed` loosens compared with `self`, sorted; empty when the
    /// change only tightens or is neutral (the time zone).
    public func loosenedFields(by proposed: TenantSettings) -> [String] {
        var loosened: [String] = []
        let current = self
        func amounts(_ name: String, _ old: [String: Int64], _ new: [String: Int64]) {
            // A currency's limit removed, or raised.
            for (currency, limit) in old where (new[currency] ?? .max) > limit {
                loosened.append("\(name).\(currency)")
            }
        }
        if proposed.refundPolicy.windowDays == 0
            ? current.refundPolicy.windowDays != 0
            : (current.refundPolicy.windowDays != 0
                && proposed.refundPolicy.windowDays > current.refundPolicy.windowDays)
        {
            loosened.append("refund_policy.window_days")
        }
        if proposed.refundPolicy.maxRefundShareBPS > current.refundPolicy.maxRefundShareBPS {
            loosened.append("refund_policy.max_refund_share_bps")
        }
        amounts(
            "refund_policy.approval_thresholds", current.refundPolicy.approvalThresholds,
            proposed.refundPolicy.approvalThresholds)
        amounts(
            "payout_limits.max_single_payout", current.payoutLimits.maxSinglePayout,
            proposed.payoutLimits.maxSinglePayout)
        amounts("payout_limits.daily_total", current.payoutLimits.dailyTotal, proposed.payoutLimits.dailyTotal)
        amounts(
            "payout_limits.approval_thresholds", current.payoutLimits.approvalThresholds,
            proposed.payoutLimits.approvalThresholds)
        if proposed.payoutLimits.maxPayoutsPerPayeePerDay > current.payoutLimits.maxPayoutsPerPayeePerDay {
            loosened.append("payout_limits.max_payouts_per_payee_per_day")
        }
        if proposed.payoutLimits.newPayeeCoolingHours < current.payoutLimits.newPayeeCoolingHours {
            loosened.append("payout_limits.new_payee_cooling_hours")
        }
        if current.testPayout.enabled, !proposed.testPayout.enabled { loosened.append("test_payout.enabled") }
        if proposed.apiRateLimitPerMinute > current.apiRateLimitPerMinute {
            loosened.append("api_rate_limit_per_minute")
        }
        if proposed.fees != current.fees { loosened.append("fees") }
        return loosened.sorted()
    }
}
