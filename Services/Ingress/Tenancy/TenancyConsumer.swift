import Contracts
import Foundation
import Platform
import Postgres
import Shared

/// Applies payments' tenancy events to ingress's copy (Platform's `TenancyReplica`), then, once
/// committed, drops the tenant's cached connectors so the next webhook sees the change.
struct TenancyConsumer: EventConsumer {
    let directory: ConnectorDirectory
    static let replica = TenancyReplica(schema: "ingress")

    func apply(_ event: EventEnvelope, in work: inout Work, logger: Logger) async throws -> EventOutcome {
        guard let tenantID = try await Self.replica.apply(event, on: work.connection, logger: logger) else {
            return .ignored
        }
        let directory = self.directory
        work.afterCommit { directory.invalidate(tenantID: tenantID) }
        return .applied
    }
}
