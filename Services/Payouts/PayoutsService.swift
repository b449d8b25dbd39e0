import Foundation
import HTTP
import Platform
import Shared

/// The payouts service process: payees, balances, the payout queue and its workers, batches,
/// safety rails, reconciliation.
public enum PayoutsService {
    public static let identity = ServiceIdentity(name: "payouts", defaultPort: 8082, migrations: PayoutsMigrations.all)

    /// Runs until SIGTERM/SIGINT; returns the process exit code.
    public static func main() async -> Int32 {
        let (runtime, configuration) = await ServiceRuntime.boot(identity) { reader, common in
            PayoutsConfiguration(reader: &reader, common: common)
        }
        guard let keyring = configuration.masterKey else {
            // Payee destinations are sealed under the master key: without it nothing can be paid.
            runtime.logger.critical("COFFER_MASTER_KEY is required")
            return ConfigError.exitCode
        }
        let app = PayoutsApp(runtime: runtime, configuration: configuration, keyring: keyring)
        let snapshot = Task { await app.snapshotLoader.loadIfEmpty() }
        let code = await runtime.run(app.services)
        snapshot.cancel()
        return code
    }
}
