import Foundation
import Platform
import Postgres
import Shared

/// Publishes the tenancy events the other services keep copies from, in the caller's transaction.
struct TenancyEvents: Sendable {
    let outbox: Outbox

    func tenantUpserted(id: String, name: String, status: String, settings: TenantSettings, version: Int64,
                        correlationID: String?, on connection: PostgresConnection) async throws {
        let payload = TenantUpserted(tenantID: id, name: name, status: status, settings: settings.json, version: version)
        try await publish(TenancyEventType.tenantUpserted, tenantID: id, payload: payload, orderingKey: id,
                          correlationID: correlationID, on: connection)
    }

    func apiKeyCreated(_ key: APIKeyCreated, correlationID: String?, on connection: PostgresConnection) async throws {
        try await publish(TenancyEventType.apiKeyCreated, tenantID: key.tenantID, payload: key, orderingKey: key.keyID,
                          correlationID: correlationID, on: connection)
    }

    func apiKeyRevoked(_ key: APIKeyRevoked, correlationID: String?, on connection: PostgresConnection) async throws {
        try await publish(TenancyEventType.apiKeyRevoked, tenantID: key.tenantID, payload: key, orderingKey: key.keyID,
                          correlationID: correlationID, on: connection)
    }

    func connectorUpserted(_ connector: ConnectorUpserted, correlationID: String?, on connection: PostgresConnection) async throws {
        try await publish(TenancyEventType.connectorUpserted, tenantID: connector.tenantID, payload: connector,
                          orderingKey: connector.connectorID, correlationID: correlationID, on: connection)
    }

    private func publish<T: Encodable>(_ type: String, tenantID: String, payload: T, orderingKey: String, correlationID: String?,
                                       on connection: PostgresConnection) async throws {
        let event = try EventEnvelope.make(type: type, source: "payments", tenantID: tenantID, correlationID: correlationID, payload: payload)
        try await outbox.enqueue(event, orderingKey: orderingKey, on: connection)
    }
}
