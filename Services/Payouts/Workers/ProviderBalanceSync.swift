import Contracts
import Foundation
import Platform
import ProviderKit
import Shared

/// Hourly by default: reads each provider account's balance for the currencies payouts are waiting in,
/// records it next to what is queued, and raises `provider_balance.low` when the account cannot cover
/// the queue — so an operator tops it up before payouts start failing for lack of funds.
struct ProviderBalanceSync: Sendable {
    let core: PayoutsCore
    let channels: PayoutChannels

    @discardableResult
    func run() async throws -> Int {
        let waiting = try await core.database.platformTransaction { connection in
            try await core.payouts.waitingToBeSent(on: connection)
        }
        // What each connector must cover, per currency.
        var queued: [String: (connector: ProviderConnector, tenantID: String, amounts: [String: Int64])] = [:]
        for item in waiting {
            guard
                let connector = try await channels.connector(
                    for: item.kind, tenantID: item.tenantID, livemode: item.livemode)
            else { continue }
            queued[connector.connectorID, default: (connector, item.tenantID, [:])].amounts[
                item.currency, default: 0] += item.amount
        }
        var recorded = 0
        for (connectorID, entry) in queued {
            guard let adapter = channels.adapter(entry.connector.provider) else { continue }
            for (code, amount) in entry.amounts {
                guard let currency = Currency(code: code) else { continue }
                let available: Int64?
                do {
                    available = try await adapter.balance(currency: currency, connector: entry.connector)
                } catch {
                    core.logger.warning(
                        "provider balance unavailable",
                        [
                            "connector_id": .string(connectorID), "currency": .string(code),
                            "error": .string(error.kind.rawValue),
                        ])
                    continue
                }
                guard let available else { continue }
                recorded += 1
                let request = WorkRequest(tenantID: entry.tenantID, actor: "system:balance-sync", correlationID: nil)
                _ = try await core.work.run(request) { work in
                    try await core.reconciliation.recordProviderBalance(
                        connectorID: connectorID, tenantID: entry.tenantID, currency: code,
                        available: available, queued: amount, on: work.connection)
                    guard available < amount else { return }
                    try work.publish(
                        PayoutEventType.balanceLow,
                        payload: ProviderBalanceLow(
                            connectorID: connectorID, provider: entry.connector.provider.rawValue, currency: code,
                            available: available, queued: amount),
                        orderingKey: "connector:" + connectorID)
                    core.logger.error(
                        "provider balance cannot cover queued payouts",
                        [
                            "tenant_id": .string(entry.tenantID), "connector_id": .string(connectorID),
                            "currency": .string(code),
                            "available": .int(available), "queued": .int(amount),
                        ])
                }
            }
        }
        return recorded
    }
}
