import Contracts
import Foundation
import Postgres
import Shared

/// The safety rails a new payout passes (the seeds' "first payroll safety"). Limits refuse the payout
/// (naming the limit); approval gates and fraud signals let it wait (`pending_approval`, `held`) with
/// its reasons, for a different key with the approver role.
struct PayoutRails: Sendable {
    let configuration: PayoutsConfiguration
    let payouts: PayoutStore

    /// Refuses what the tenant's limits forbid. The payee row is locked by the caller, so per-payee
    /// counts cannot race; the daily total is serialized per tenant and currency when it is set.
    func checkLimits(
        amount: Int64, currency: Currency, payee: Payee, settings: TenantSettings,
        on connection: PostgresConnection
    ) async throws {
        let limits = settings.payoutLimits
        // What needs no read is refused before anything is read.
        if let refusal = Self.limitRefusal(
            amount: amount, currency: currency, payeeType: payee.type.rawValue, payeeNewSince: payee.newSince,
            limits: limits,
            payoutsToday: 0, dailyTotal: nil, now: Date())
        {
            throw refusal
        }
        let today = try await payouts.countToday(
            payeeID: payee.id, tenantID: payee.tenantID, timeZone: settings.timeZone, on: connection)
        var dailyTotal: Int64?
        if limits.dailyTotal[currency.code] != nil {
            dailyTotal = try await payouts.lockedDailyTotal(
                tenantID: payee.tenantID, livemode: payee.livemode, currency: currency.code,
                timeZone: settings.timeZone, on: connection)
        }
        if let refusal = Self.limitRefusal(
            amount: amount, currency: currency, payeeType: payee.type.rawValue, payeeNewSince: payee.newSince,
            limits: limits,
            payoutsToday: today, dailyTotal: dailyTotal, now: Date())
        {
            throw refusal
        }
    }

    /// The limits as a pure decision (table-tested): nil when the payout may proceed. `payoutsToday`
    /// is the payee's count today; `dailyTotal` what the tenant paid out today in `currency` (nil:
    /// not read, because no daily limit is set).
    static func limitRefusal(
        amount: Int64, currency: Currency, payeeType: String, payeeNewSince: Date, limits: TenantSettings.PayoutLimits,
        payoutsToday: Int64, dailyTotal: Int64?, now: Date
    ) -> DomainError? {
        if let minimum = limits.minimumPayout[payeeType]?[currency.code], amount < minimum {
            return DomainError.invalid(
                "The smallest \(payeeType) payout in \(currency.code) is \(minimum).",
                code: "amount_below_minimum", param: "amount")
        }
        if let maximum = limits.maxSinglePayout[currency.code], amount > maximum {
            return limit("amount exceeds the largest single payout (\(maximum) \(currency.code)).", param: "amount")
        }
        if limits.newPayeeCoolingHours > 0,
            payeeNewSince.adding(.seconds(Int64(limits.newPayeeCoolingHours) * 3600)) > now
        {
            return DomainError.unprocessable(
                "This payee (or its destination) is less than \(limits.newPayeeCoolingHours) hours old; it can be paid after that.",
                code: "payee_cooling_period", param: "payee_id")
        }
        if payoutsToday >= Int64(limits.maxPayoutsPerPayeePerDay) {
            return limit(
                "This payee already has \(payoutsToday) payouts today (the limit is \(limits.maxPayoutsPerPayeePerDay)).",
                param: "payee_id")
        }
        if let daily = limits.dailyTotal[currency.code], let total = dailyTotal {
            let (after, overflow) = total.addingReportingOverflow(amount)
            if overflow || after > daily {
                return limit(
                    "This would take today's payouts in \(currency.code) to \(overflow ? "more than Int64 holds" : String(after)), above the daily limit of \(daily).",
                    param: "amount")
            }
        }
        return nil
    }

    /// Approval gates and fraud holds. `fingerprints` are the payee's destination under every master-key
    /// version (`DestinationVault.fingerprints`).
    func gates(
        amount: Int64, currency: Currency, payee: Payee, fingerprints: [String], settings: TenantSettings,
        firstRunConfirmed: Bool, on connection: PostgresConnection
    ) async throws -> PayoutLifecycle.Gates {
        let signals = try await payouts.fraudSignals(
            payee: payee, currency: currency.code, fingerprints: fingerprints, on: connection)
        return Self.gates(
            amount: amount, currency: currency, payeeUnverified: payee.isUnverified, limits: settings.payoutLimits,
            firstRunConfirmed: firstRunConfirmed, signals: signals, velocityPerHour: configuration.velocityPerHour,
            historyMultiplier: configuration.historyMultiplier)
    }

    /// The gates as a pure decision (table-tested): approvals for the first run and amounts above the
    /// tenant's threshold; holds for an unverified destination, velocity, a destination another payee
    /// uses, and an amount far above the payee's recent history.
    static func gates(
        amount: Int64, currency: Currency, payeeUnverified: Bool, limits: TenantSettings.PayoutLimits,
        firstRunConfirmed: Bool,
        signals: PayoutStore.FraudSignals, velocityPerHour: Int, historyMultiplier: Int
    ) -> PayoutLifecycle.Gates {
        var approvals: [ApprovalReason] = []
        var holds: [HoldReason] = []
        if !firstRunConfirmed { approvals.append(.firstRun) }
        if let threshold = limits.approvalThresholds[currency.code], amount > threshold {
            approvals.append(.aboveApprovalThreshold)
        }
        if payeeUnverified { holds.append(.destinationUnverified) }
        if signals.lastHour >= Int64(velocityPerHour) { holds.append(.velocity) }
        if signals.sharedDestination > 0 { holds.append(.sharedDestination) }
        if signals.recentPaid >= 3, let largest = signals.largestRecent {
            let (limit, overflow) = largest.multipliedReportingOverflow(by: Int64(historyMultiplier))
            if !overflow, amount > limit { holds.append(.amountAboveHistory) }
        }
        return PayoutLifecycle.Gates(
            approvalReasons: approvals.map(\.rawValue), holdReasons: holds.map(\.rawValue), scheduledFor: nil)
    }

    static func limit(_ message: String, param: String) -> DomainError {
        DomainError.unprocessable(message, code: "payout_limit_exceeded", param: param)
    }
}
