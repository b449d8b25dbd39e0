import Contracts
import Foundation
import HTTP
import ProviderKit
import Shared

/// Calls providers for payments: picks the connector (by priority, skipping one whose circuit breaker
/// is open — failover), retries errors that are safe to retry (every money-moving call carries an
/// idempotency key the provider honours) with backoff, and feeds the breakers.
struct ProviderGateway: Sendable {
    let adapters: [ProviderName: any PaymentProviderAdapter]
    let breakers: CircuitBreakers
    let maxAttempts: Int
    let metrics: ProviderMetrics

    func adapter(for provider: ProviderName) -> (any PaymentProviderAdapter)? { adapters[provider] }

    /// The connector a new payment should use: the first by priority whose breaker lets calls through.
    func pick(_ connectors: [ProviderConnector], tenantID: String) -> ProviderConnector? {
        connectors.first { adapters[$0.provider] != nil && breakers.allow(breakerKey(tenantID, $0)) }
    }

    func breakerKey(_ tenantID: String, _ connector: ProviderConnector) -> String {
        tenantID + "|" + connector.connectorID
    }

    /// Runs `call` with retries on retryable errors; every outcome is reported to the breaker.
    func call<T: Sendable>(
        _ operation: String, tenantID: String, connector: ProviderConnector,
        _ call: @Sendable (any PaymentProviderAdapter) async throws(ProviderError) -> T
    ) async throws(ProviderError) -> T {
        guard let adapter = adapters[connector.provider] else {
            throw ProviderError(
                kind: .invalidRequest, code: "no_adapter",
                message: "Coffer has no adapter for \(connector.provider.rawValue) payments yet.")
        }
        let key = breakerKey(tenantID, connector)
        var attempt = 1
        while true {
            let started = ContinuousClock.now
            do {
                let result = try await call(adapter)
                breakers.recordSuccess(key)
                metrics.record(
                    provider: connector.provider.rawValue, operation: operation, outcome: "ok", since: started)
                return result
            } catch {
                metrics.record(
                    provider: connector.provider.rawValue, operation: operation, outcome: error.kind.rawValue,
                    since: started)
                if error.isRetryable {
                    breakers.recordFailure(key)
                } else if error.kind != .declined {
                    // Declines are the customer's card, not the provider's health.
                    breakers.recordSuccess(key)
                }
                guard error.isRetryable, attempt < maxAttempts, breakers.state(key) != .open else { throw error }
                let ceiling = RetryPolicy.backoffCeiling(base: .milliseconds(100), attempt: attempt, cap: .seconds(2))
                try? await Task.sleep(for: RetryPolicy(baseDelay: ceiling, maxDelay: ceiling).delay(afterAttempt: 1))
                attempt += 1
            }
        }
    }
}
