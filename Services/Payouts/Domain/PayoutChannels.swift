import Contracts
import Foundation
import Platform
import ProviderKit
import Shared

/// Which provider pays a destination for a tenant: its connectors (from the `ConnectorDirectory`,
/// opened and cached for a second) in priority order, the first whose adapter pays that kind.
struct PayoutChannels: Sendable {
    let directory: ConnectorDirectory
    let adapters: [ProviderName: any PayoutProviderAdapter]
    let timeout: Duration

    func adapter(_ provider: ProviderName) -> (any PayoutProviderAdapter)? { adapters[provider] }

    /// The connector that pays `kind` for this tenant and mode, nil when none can.
    func connector(for kind: PayoutDestination.Kind, tenantID: String, livemode: Bool) async throws
        -> ProviderConnector?
    {
        try await directory.active(tenantID: tenantID, livemode: livemode)
            .first { adapters[$0.provider]?.destinations.contains(kind) == true }
            .map(providerConnector)
    }

    /// A connector by id whatever its status (a payout already sent is looked up where it went).
    func connector(id: String, tenantID: String, livemode: Bool) async throws -> ProviderConnector? {
        guard let connector = try await directory.connector(id: id, tenantID: tenantID), connector.livemode == livemode
        else { return nil }
        return providerConnector(connector)
    }

    private func providerConnector(_ connector: OpenedConnector) -> ProviderConnector {
        ProviderConnector(
            connectorID: connector.connectorID, provider: connector.provider, livemode: connector.livemode,
            apiBaseURL: connector.apiBaseURL
                ?? ProviderHosts.official(connector.provider, livemode: connector.livemode),
            credentials: connector.credentials, timeout: timeout)
    }
}
