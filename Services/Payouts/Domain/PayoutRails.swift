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
    func checkLimits(amount: Int64, currency: Currency, payee: Payee, settings: TenantSettings,
                     on connection: PostgresConnection) async throws {
        let limits = settings.payoutLimits
        if let minimum = limits.minimumPayout[payee.type.rawValue]?[currency.code], amount < minimum {
            throw DomainError.invalid("The smallest \(payee.type.rawValue) payout in \(currency.code) is \(minimum).",
                                      code: "amount_below_minimum", param: "amount")
        }
        if let maximum = limits.maxSinglePayout[currency.code], amount > maximum {
            throw Self.limit("amount exceeds the largest single payout (\(maximum) \(currency.code)).", param: "amount")
        }
        if limits.newPayeeCoolingHours > 0, payee.newSince.adding(.seconds(Int64(limits.newPayeeCoolingHours) * 3600)) > Date() {
            throw DomainError.unprocessable("This payee (or its destination) is less than \(limits.newPayeeCoolingHours) hours old; it can be paid after that.",
                                            code: "payee_cooling_period", param: "payee_id")
        }
        let today = try await payouts.countToday(payeeID: payee.id, tenantID: payee.tenantID, timeZone: settings.timeZone, on: connection)
        if today >= Int64(limits.maxPayoutsPerPayeePerDay) {
            throw Self.limit("This payee already has \(today) payouts today (the limit is \(limits.maxPayoutsPerPayeePerDay)).",
                             param: "payee_id")
        }
        if let daily = limits.dailyTotal[currency.code] {
            let total = try await payouts.lockedDailyTotal(tenantID: payee.tenantID, livemode: payee.livemode, currency: currency.code,
                                                           timeZone: settings.timeZone, on: connection)
            let (after, overflow) = total.addingReportingOverflow(amount)
            if overflow || after > daily {
                throw Self.limit("This would take today's payouts in \(currency.code) to \(after), above the daily limit of \(daily).", param: "amount")
            }
        }
    }

    /// Approval gates and fraud holds. `fingerprints` are the payee's destination under every master-key
    /// version (`DestinationVault.fingerprints`).
    func gates(amount: Int64, currency: Currency, payee: Payee, fingerprints: [String], settings: TenantSettings,
               firstRunConfirmed: Bool, on connection: PostgresConnection) async throws -> PayoutLifecycle.Gates {
        var approvals: [ApprovalReason] = []
        var holds: [HoldReason] = []
        if !firstRunConfirmed { approvals.append(.firstRun) }
        if let threshold = settings.payoutLimits.approvalThresholds[currency.code], amount > threshold { approvals.append(.aboveApprovalThreshold) }
        if payee.isUnverified { holds.append(.destinationUnverified) }
        let signals = try await payouts.fraudSignals(payee: payee, currency: currency.code, fingerprints: fingerprints, on: connection)
        if signals.lastHour >= Int64(configuration.velocityPerHour) { holds.append(.velocity) }
        if signals.sharedDestination > 0 { holds.append(.sharedDestination) }
        if signals.recentPaid >= 3, let largest = signals.largestRecent {
            let (limit, overflow) = largest.multipliedReportingOverflow(by: Int64(configuration.historyMultiplier))
            if !overflow, amount > limit { holds.append(.amountAboveHistory) }
        }
        return PayoutLifecycle.Gates(approvalReasons: approvals.map(\.rawValue), holdReasons: holds.map(\.rawValue), scheduledFor: nil)
    }

    static func limit(_ message: String, param: String) -> DomainError {
        DomainError.unprocessable(message, code: "payout_limit_exceeded", param: param)
    }
}
