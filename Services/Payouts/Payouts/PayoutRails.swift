import Foundation
import HTTP
import Postgres
import Shared

/// The safety rails a new payout passes (the seeds' "first payroll safety"). Limits refuse the payout
/// (422, naming the limit); approval gates and fraud signals let it wait (`pending_approval`, `held`)
/// with its reasons, for a different key with the approver role.
struct PayoutRails: Sendable {
    let configuration: PayoutsConfiguration

    struct Gates: Sendable, Equatable {
        var approvalReasons: [String] = []
        var holdReasons: [String] = []
    }

    /// Refuses what the tenant's limits forbid. The payee row is locked by the caller, so per-payee
    /// counts cannot race; the daily total is serialized per tenant and currency when it is set.
    func checkLimits(amount: Int64, currency: Currency, payee: PayeeRecord, settings: TenantSettings, isBatchItem: Bool = false,
                     pendingInBatch: (count: Int, total: Int64) = (0, 0), on connection: PostgresConnection) async throws {
        let limits = settings.payoutLimits
        if let minimum = limits.minimumPayout[payee.type.rawValue]?[currency.code], amount < minimum {
            throw HTTPError.badRequest("The smallest \(payee.type.rawValue) payout in \(currency.code) is \(minimum).",
                                       code: "amount_below_minimum", param: "amount")
        }
        if let maximum = limits.maxSinglePayout[currency.code], amount > maximum {
            throw Self.limit("amount exceeds the largest single payout (\(maximum) \(currency.code)).", param: "amount")
        }
        if limits.newPayeeCoolingHours > 0, payee.newSince.adding(.seconds(Int64(limits.newPayeeCoolingHours) * 3600)) > Date() {
            throw HTTPError.unprocessable("This payee (or its destination) is less than \(limits.newPayeeCoolingHours) hours old; it can be paid after that.",
                                          code: "payee_cooling_period")
        }
        let dayStart = "date_trunc('day', now() AT TIME ZONE \(Self.quoted(settings.timeZone))) AT TIME ZONE \(Self.quoted(settings.timeZone))"
        // Per payee, on its own index (never a scan of the tenant's whole day).
        let today: PostgresQuery = """
            SELECT count(*) FROM payouts.payouts
            WHERE tenant_id = \(payee.tenantID) AND payee_id = \(payee.id) AND NOT is_test
              AND status NOT IN ('failed', 'canceled') AND created_at >= \(unsafeSQL: dayStart)
            """
        let payeeToday = try await connection.query(today.prepared()).first?.decode(Int64.self, at: 0) ?? 0
        if Int(payeeToday) + pendingInBatch.count >= limits.maxPayoutsPerPayeePerDay {
            throw Self.limit("This payee already has \(payeeToday + Int64(pendingInBatch.count)) payouts today (the limit is \(limits.maxPayoutsPerPayeePerDay)).",
                             param: "payee_id")
        }
        if let daily = limits.dailyTotal[currency.code] {
            // Serialize this tenant's payouts in this currency while the total is checked and taken.
            try await connection.execute("SELECT pg_advisory_xact_lock(hashtext(\(payee.tenantID + ":daily:" + currency.code)))")
            let total = try await connection.query("""
                SELECT coalesce(sum(amount), 0)::bigint FROM payouts.payouts
                WHERE tenant_id = \(payee.tenantID) AND livemode = \(payee.livemode) AND NOT is_test AND currency = \(currency.code)
                  AND status NOT IN ('failed', 'canceled') AND created_at >= \(unsafeSQL: dayStart)
                """).first?.decode(Int64.self, at: 0) ?? 0
            if total + pendingInBatch.total + amount > daily {
                throw Self.limit("This would take today's payouts in \(currency.code) to \(total + pendingInBatch.total + amount), above the daily limit of \(daily).",
                                 param: "amount")
            }
        }
    }

    /// Approval gates and fraud holds.
    /// `fingerprints` are the payee's destination under every master-key version (`DestinationVault.fingerprints`).
    func gates(amount: Int64, currency: Currency, payee: PayeeRecord, fingerprints: [String], settings: TenantSettings,
               firstRunConfirmed: Bool, on connection: PostgresConnection) async throws -> Gates {
        var gates = Gates()
        if !firstRunConfirmed { gates.approvalReasons.append("first_run") }
        if let threshold = settings.payoutLimits.approvalThresholds[currency.code], amount > threshold {
            gates.approvalReasons.append("above_approval_threshold")
        }
        if payee.destinationCheck == "pending" || payee.destinationCheck == "failed" {
            gates.holdReasons.append("destination_unverified")
        }
        // Each part reads only this payee's rows through its own index (never the tenant's history).
        let query: PostgresQuery = """
            SELECT v.n, d.n, h.n, h.largest FROM
              (SELECT count(*) AS n FROM payouts.payouts
               WHERE tenant_id = \(payee.tenantID) AND payee_id = \(payee.id) AND NOT is_test AND created_at > now() - interval '1 hour') v,
              (SELECT count(*) AS n FROM payouts.payees
               WHERE tenant_id = \(payee.tenantID) AND livemode = \(payee.livemode) AND id <> \(payee.id) AND status = 'active'
                 AND destination_fingerprint = ANY(\(array: fingerprints.isEmpty ? [payee.destinationFingerprint] : fingerprints))) d,
              (SELECT count(*) AS n, max(amount) AS largest FROM (
                 SELECT amount FROM payouts.payouts
                 WHERE tenant_id = \(payee.tenantID) AND payee_id = \(payee.id) AND currency = \(currency.code) AND status = 'processed'
                   AND NOT is_test
                 ORDER BY created_at DESC LIMIT 20) recent) h
            """
        let signals = try await connection.query(query.prepared()).first?.decode((Int64, Int64, Int64, Int64?).self) ?? (Int64(0), Int64(0), Int64(0), Int64?.none)
        if signals.0 >= Int64(configuration.velocityPerHour) { gates.holdReasons.append("velocity") }
        if signals.1 > 0 { gates.holdReasons.append("shared_destination") }
        if signals.2 >= 3, let largest = signals.3, amount > largest * Int64(configuration.historyMultiplier) {
            gates.holdReasons.append("amount_above_history")
        }
        return gates
    }

    static func limit(_ message: String, param: String) -> HTTPError {
        var error = HTTPError.unprocessable(message, code: "payout_limit_exceeded")
        error.param = param
        return error
    }

    /// A time zone name as a SQL literal (names are validated IANA identifiers; quotes doubled anyway).
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
