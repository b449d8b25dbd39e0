import Foundation
import Platform
import Postgres
import Shared

/// Applies payments' tenancy events to ingress's copy (Platform's `TenancyReplica`), then drops the
/// tenant's cached connectors so the next webhook sees the change.
struct TenancyConsumer: EventConsumer {
    let copy: TenancyCopy
    static let replica = TenancyReplica(schema: "ingress")

    func apply(_ event: EventEnvelope, on connection: PostgresConnection, logger: Logger) async throws -> EventOutcome {
        guard let tenantID = try await Self.replica.apply(event, on: connection, logger: logger) else { return .ignored }
        copy.invalidate(tenantID: tenantID)
        return .applied
    }
}
