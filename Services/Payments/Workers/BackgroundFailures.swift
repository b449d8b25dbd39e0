import Foundation
import HTTP
import Platform
import Postgres
import ProviderKit
import Shared

/// What background work (the resolver, the auto-capture worker) does when one payment or refund fails:
/// a failure that can pass (a provider or the database unreachable) sends the item to the back of the
/// queue; one that cannot (money that will not compute, settings that will not read, an invariant
/// broken) is counted, and after `parkAfter` such failures the item is parked with its reason. A parked
/// item is skipped by every loop (it never takes the process down or holds up the others) until an
/// operator sends it back (`POST /admin/parked/{id}/retry`).
struct BackgroundFailures: Sendable {
    let database: PostgresPool
    var parkAfter = 3
    let store = PaymentStore()

    enum Table: String, Sendable {
        case payments, refunds
    }

    /// Whether the failure may pass on its own.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as ProviderError:
            error.kind == .timeout || error.kind == .unavailable || error.kind == .rateLimited
        case is HTTPClientError: true
        case let error as PostgresError: error.isConnectionError || error.isSerializationFailure || error.isDeadlock
        case is CancellationError: true
        default: false
        }
    }

    /// Records the failure; returns true when the item is now parked.
    @discardableResult
    func record(_ table: Table, id: String, tenantID: String, error: any Error, logger: Logger) async -> Bool {
        let reason = String(String(describing: error).prefix(500))
        do {
            let parked = try await database.tenantTransaction(tenantID) { connection in
                try await store.recordFailure(
                    table: table.rawValue, id: id, tenantID: tenantID, counted: !Self.isTransient(error),
                    parkAfter: parkAfter,
                    reason: reason, on: connection)
            }
            if parked {
                logger.error(
                    "parked after repeated failures; an operator must look at it",
                    ["object_id": .string(id), "table": .string(table.rawValue), "error": .string(reason)])
            }
            return parked
        } catch {
            logger.warning(
                "could not record a background failure",
                ["object_id": .string(id), "error": .string(String(describing: error))])
            return false
        }
    }
}
