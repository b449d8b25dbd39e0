import Foundation
import Platform
import Postgres
import ProviderKit
import Shared

/// Hourly by default: reads each provider account's balance for the currencies payouts are waiting
/// in, records it next to what is queued, and raises `provider_balance.low` when the account cannot
/// cover the queue — so an operator tops it up before payouts start failing for lack of funds.
struct ProviderBalanceSync: Sendable {
    let core: PayoutsCore
    let connectors: PayoutConnectors

    struct Waiting: Sendable {
        let tenantID: String
        let livemode: Bool
        let kind: PayoutDestination.Kind
        let currency: String
        let amount: Int64
    }

    @discardableResult
    func run() async throws -> Int {
        let waiting = try await core.database.platformTransaction { connection in
            try await connection.query("""
                SELECT o.tenant_id, o.livemode, e.destination_kind, o.currency, sum(o.amount)::bigint FROM payouts.payouts o
                JOIN payouts.payees e ON e.id = o.payee_id AND e.tenant_id = o.tenant_id
                WHERE o.status IN ('queued', 'processing', 'scheduled') AND o.provider_payout_id IS NULL
                GROUP BY 1, 2, 3, 4
                """).map { row in
                let (tenantID, livemode, kind, currency, amount) = try row.decode((String, Bool, String, String, Int64).self)
                return Waiting(tenantID: tenantID, livemode: livemode, kind: PayoutDestination.Kind(rawValue: kind) ?? .bankAccount,
                               currency: currency, amount: amount)
            }
        }
        // What each connector must cover, per currency.
        var queued: [String: (connector: ProviderConnector, tenantID: String, amounts: [String: Int64])] = [:]
        for item in waiting {
            guard let connector = try await connectors.connector(for: item.kind, tenantID: item.tenantID, livemode: item.livemode) else { continue }
            queued[connector.connectorID, default: (connector, item.tenantID, [:])].amounts[item.currency, default: 0] += item.amount
        }
        var recorded = 0
        for (connectorID, entry) in queued {
            guard let adapter = connectors.adapter(entry.connector.provider) else { continue }
            for (code, amount) in entry.amounts {
                guard let currency = Currency(code: code) else { continue }
                let available: Int64?
                do {
                    available = try await adapter.balance(currency: currency, connector: entry.connector)
                } catch {
                    core.logger.warning("provider balance unavailable", ["connector_id": .string(connectorID), "currency": .string(code),
                                                                         "error": .string(error.kind.rawValue)])
                    continue
                }
                guard let available else { continue }
                recorded += 1
                try await core.database.tenantTransaction(entry.tenantID) { connection in
                    try await connection.execute("""
                        INSERT INTO payouts.provider_balances (connector_id, tenant_id, currency, available, queued, recorded_at)
                        VALUES (\(connectorID), \(entry.tenantID), \(code), \(available), \(amount), now())
                        ON CONFLICT (connector_id, currency) DO UPDATE SET available = excluded.available, queued = excluded.queued,
                            recorded_at = now()
                        """)
                    guard available < amount else { return }
                    var events = PendingEvents(source: "payouts", tenantID: entry.tenantID, correlationID: nil)
                    events.add(PayoutEventType.balanceLow, data: [
                        "connector_id": .string(connectorID), "provider": .string(entry.connector.provider.rawValue),
                        "currency": .string(code), "available": .int(available), "queued": .int(amount), "shortfall": .int(amount - available),
                    ], orderingKey: "connector:" + connectorID)
                    try await events.write(to: core.outbox, on: connection)
                    core.logger.error("provider balance cannot cover queued payouts", [
                        "tenant_id": .string(entry.tenantID), "connector_id": .string(connectorID), "currency": .string(code),
                        "available": .int(available), "queued": .int(amount)])
                }
            }
        }
        core.outbox.nudge()
        return recorded
    }
}
